"""The REST API's HTTP plumbing: RFC 9457 problem details, the per-key rate
limit, opaque cursors, and bodies read with a cap."""

import base64
import binascii
import json
import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

PROBLEM_TYPES = "https://snorq.app/problems/"
MAX_API_BODY_BYTES = 64 * 1024  # a reply or a note is far below this


class Problem(Exception):
    """A request refused with an RFC 9457 problem document."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.headers = headers or {}

    def response(self, instance: str) -> JSONResponse:
        return JSONResponse(
            {
                "type": PROBLEM_TYPES + self.kind,
                "title": self.title,
                "status": self.status,
                "detail": self.detail,
                "instance": instance,
            },
            status_code=self.status,
            headers=self.headers,
            media_type="application/problem+json",
        )


def bad_request(detail: str) -> Problem:
    return Problem(400, "bad-request", "The request is not one the API understands", detail)


class RateLimit:
    """A token bucket per key: ``per_minute`` requests a minute, in bursts of at
    most ``burst``.  Per process, like the relay itself: behind a load
    balancer each process allows its share."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._lock = threading.Lock()

    def wait_needed(self, key: str) -> float:
        """0 when this request may go (and counts it), else seconds until one may."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - then) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 100_000:  # keys nobody uses any more
                self._buckets = {k: v for k, v in self._buckets.items() if v[1] > now - 3600}
            return (1.0 - tokens) / self._rate


def too_many(wait: float) -> Problem:
    seconds = max(1, math.ceil(wait))
    return Problem(
        429,
        "rate-limited",
        "Too many requests",
        f"This API key has made too many requests; try again in {seconds} second(s).",
        {"Retry-After": str(seconds)},
    )


def encode_cursor(moment: datetime, row_id: str) -> str:
    raw = json.dumps([moment.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, row_id = json.loads(raw)
        if not isinstance(row_id, str):
            raise TypeError(row_id)
        return datetime.fromisoformat(moment), row_id
    except (binascii.Error, ValueError, TypeError):
        raise bad_request(
            "The cursor is not one this API gave out: pass next_cursor from a page as it is."
        ) from None


async def json_body(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_API_BODY_BYTES):
        raise Problem(413, "too-large", "The body is too large", "A body may be 64 kB at most.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_API_BODY_BYTES:
            raise Problem(413, "too-large", "The body is too large", "A body may be 64 kB at most.")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"null")
    except (ValueError, RecursionError):
        raise bad_request("The body is not JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    return body


def text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Problem(
            422, "invalid-field", "A field is missing or empty", f"“{name}” must be text."
        )
    return value


def as_json(value: Any) -> Any:
    """Rows as JSON: times in ISO 8601, enums by their seed label."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value
