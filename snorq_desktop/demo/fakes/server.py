"""What every fake platform shares: a threaded HTTP server on loopback, a clock
the tests can move, injectable faults, and signed webhook delivery."""

import json
import threading
import time
import urllib.request
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Fault:
    """What the next matching request gets instead of an answer.

    kind: "http" (status), "error" (the platform's error body with ``code``),
    "timeout" (sleep ``seconds`` first), "malformed" (broken JSON).
    """

    kind: str
    code: int = 0
    status: int = 400
    seconds: float = 0.0
    retry_after: float | None = None
    subcode: int | None = None
    path_contains: str = ""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


Reply = tuple[int, Any, dict[str, str]]


class FakeClock:
    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class FakePlatform(ABC):
    """Subclasses implement :meth:`handle`; faults and the server are here."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.faults: deque[Fault] = deque()
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self.webhook_url: str | None = None
        self._server: ThreadingHTTPServer | None = None

    # --- the server -----------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                request = Request(
                    self.command,
                    parts.path,
                    {k: v[0] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                status, payload, headers = fake.respond(request)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}  # files say their own
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- requests and faults ---------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def respond(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            fault = next((f for f in self.faults if f.path_contains in request.path), None)
            if fault is not None:
                self.faults.remove(fault)
        if fault is not None:
            if fault.kind == "timeout":
                time.sleep(fault.seconds)
            elif fault.kind == "malformed":
                return 200, b'{"data": [', {}
            elif fault.kind == "http":
                return fault.status, {"message": "fake server error"}, {}
            elif fault.kind == "error":
                return self.error_reply(fault)
        with self.lock:
            return self.handle(request)

    @abstractmethod
    def error_reply(self, fault: Fault) -> Reply:
        """The platform's own shape of an error answer."""

    @abstractmethod
    def handle(self, request: Request) -> Reply:
        """Answer a request (called with the lock held)."""

    # --- webhooks -----------------------------------------------------------------

    def deliver(self, path: str, raw: bytes, headers: dict[str, str]) -> int:
        """POST a webhook to the configured relay; the status it answered (0: none)."""
        if not self.webhook_url:
            return 0
        request = urllib.request.Request(
            self.webhook_url.rstrip("/") + path,
            data=raw,
            method="POST",
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            return 0


def later(seconds: float, action: Callable[[], object]) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()
