"""The one-shot listener a browser login comes back to (RFC 8252, loopback):
Google sign-in and the platforms' logins alike.

Bound to 127.0.0.1 on a port the OS chooses (or the one a platform insists
on), it takes the redirect for its path, answers the browser with a short page,
and closes.  Other requests a browser makes meanwhile (a favicon) get 404 and do
not end the wait.

The path is static and ends in a slash because that is what the platforms
register: TikTok's Login Kit for Desktop takes ``http://127.0.0.1:*/callback/``
(any port, this exact path), Facebook Login one exact address
(``http://localhost:<port>/callback/``, see platform_login.py).
"""

import errno
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

CALLBACK_PATH = "/callback/"
_DONE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>SNORQ Desktop</title>"
    "<body style='font-family:sans-serif;margin:3em'><h2>{}</h2>"
    "<p>You can close this tab and go back to SNORQ Desktop.</p></body>"
)


class _Server(HTTPServer):
    answer: dict[str, str] | None = None
    done = "Done."
    stopped = "Nothing was changed."


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self.send_error(404)
            return
        answer = {key: values[0] for key, values in parse_qs(parts.query).items()}
        self.server.answer = answer
        headline = self.server.stopped if "error" in answer else self.server.done
        page = _DONE_PAGE.format(headline).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args: object) -> None:
        pass  # the query holds a code: never into a log


class PortTaken(OSError):
    """The one port a platform sends its login back to is used by another program."""


class RedirectCatcher:
    def __init__(
        self,
        done: str = "Done.",
        stopped: str = "Nothing was changed.",
        *,
        port: int = 0,
        host_name: str = "127.0.0.1",
    ) -> None:
        """``done`` / ``stopped``: the page's headline after a login that worked /
        one the person (or the provider) refused.  ``port``: 0 for any free one;
        ``host_name``: how the redirect URI names this computer (always served
        on 127.0.0.1, which "localhost" reaches too)."""
        try:
            self._server = _Server(("127.0.0.1", port), _Handler)
        except OSError as error:
            if port and error.errno == errno.EADDRINUSE:
                raise PortTaken(error.errno, f"port {port} is in use") from None
            raise
        self._server.done, self._server.stopped = done, stopped
        self._server.timeout = 0.2  # how often waiting looks at the stop flags
        self._host_name = host_name

    @property
    def redirect_uri(self) -> str:
        return f"http://{self._host_name}:{self._server.server_address[1]}{CALLBACK_PATH}"

    def wait(self, timeout: float, *stops: threading.Event) -> dict[str, str] | None:
        """The redirect's query parameters; None when a stop was set or time ran out."""
        deadline = time.monotonic() + timeout
        while self._server.answer is None:
            if any(stop.is_set() for stop in stops) or time.monotonic() > deadline:
                return None
            self._server.handle_request()
        return self._server.answer

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> "RedirectCatcher":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
