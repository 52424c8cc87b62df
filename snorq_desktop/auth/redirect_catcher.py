"""The one-shot listener a browser login comes back to (RFC 8252, loopback).

Bound to 127.0.0.1 on a port the OS chooses, it takes the redirect for its
path, answers the browser with a short page, and closes.  Other requests a
browser makes meanwhile (a favicon) get 404 and do not end the wait.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

CALLBACK_PATH = "/callback"
_DONE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>SNORQ Desktop</title>"
    "<body style='font-family:sans-serif;margin:3em'><h2>{}</h2>"
    "<p>You can close this tab and go back to SNORQ Desktop.</p></body>"
)


class _Server(HTTPServer):
    answer: dict[str, str] | None = None
    headline = "Done."


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self.send_error(404)
            return
        self.server.answer = {key: values[0] for key, values in parse_qs(parts.query).items()}
        page = _DONE_PAGE.format(self.server.headline).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args: object) -> None:
        pass  # the query holds a code: never into a log


class RedirectCatcher:
    def __init__(self, headline: str = "Done.") -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.headline = headline
        self._server.timeout = 0.2

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"

    def wait(self, timeout: float, cancelled: threading.Event) -> dict[str, str] | None:
        """The redirect's query parameters; None when cancelled or timed out."""
        deadline = time.monotonic() + timeout
        while self._server.answer is None:
            if cancelled.is_set() or time.monotonic() > deadline:
                return None
            self._server.handle_request()
        return self._server.answer

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> "RedirectCatcher":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
