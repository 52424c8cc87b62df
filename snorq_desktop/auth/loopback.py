"""The one-shot listener the browser comes back to: 127.0.0.1 only, on a port
the OS picks, answering the one request that carries the sign-in's answer."""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from snorq_desktop.domain.errors import SignInCancelled, SignInFailed

_PAGE = (
    "<!doctype html><meta charset='utf-8'><title>SNORQ Desktop</title>"
    "<body style='font-family:sans-serif;text-align:center;margin-top:20vh'>"
    "<h2>{0}</h2><p>You can close this tab and go back to SNORQ Desktop.</p></body>"
)


class LoopbackListener:
    def __init__(self) -> None:
        self.answer: dict[str, str] | None = None
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path != "/" or not ({"code", "error"} & query.keys()):
                    self.send_error(404)  # a favicon, a stray visit: keep waiting
                    return
                listener.answer = query
                done = "Signed in" if "code" in query else "Sign-in stopped"
                body = _PAGE.format(done).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._server.timeout = 0.2  # how often waiting looks at the cancel flag

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def wait(
        self, timeout: float, cancel: threading.Event, no_browser: threading.Event
    ) -> dict[str, str]:
        """The query of the browser's return, or SignInCancelled on cancel or
        timeout, SignInFailed when no browser could be started."""
        deadline = time.monotonic() + timeout
        try:
            while self.answer is None:
                if no_browser.is_set():
                    raise SignInFailed(
                        "No web browser could be opened on this computer; set the BROWSER "
                        "environment variable to one, then sign in again."
                    )
                if cancel.is_set():
                    raise SignInCancelled("Sign-in cancelled; nobody was signed in.")
                if time.monotonic() > deadline:
                    minutes = max(1, round(timeout / 60))
                    raise SignInCancelled(
                        f"The sign-in was not finished in the browser within {minutes} "
                        f"minute{'s' if minutes != 1 else ''}; start it again when ready."
                    )
                self._server.handle_request()
            return self.answer
        finally:
            self._server.server_close()
