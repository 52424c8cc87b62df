"""An ASGI app that accepts platform webhooks, checks their signatures over the
raw body, stores each verified event once, and answers 200 only when it is durable.

Stateless: Postgres is its queue, so any number of relays can run behind any
load balancer.  Forged requests get 403, bodies that are not JSON 400, and
neither writes anything.  Any signed JSON body is kept: what the platforms send
changes faster than our parsers, and a body refused is a body lost (the apps
skip, and log, what they cannot use).
"""

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from snorq_desktop.domain.platform_events import MalformedPayload
from snorq_desktop.platforms.payload import load_json
from snorq_desktop.platforms.signatures import SignatureRejected, verify_meta, verify_tiktok
from snorq_desktop.platforms.webhooks import META, TIKTOK
from snorq_desktop.relay.api import ApiLimits, build_api
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.store.webhook_events import record_event

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Meta batches stay far below this
MAX_SIGNATURE_CHARS = 512  # a real signature header is about 80 characters
MAX_JSON_DEPTH = 64  # real payloads nest about 8 deep
_SIGNATURE_HEADERS = ("x-hub-signature-256", "tiktok-signature")
_JSON_TOKENS = re.compile(rb'[\[\]{}"\\]')


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.response = PlainTextResponse(reason, status_code=status)


async def _capped_body(request: Request) -> bytes:
    """The body, refused by its declared length before reading and cut off while
    streaming: a body past the cap is never held whole in memory."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit() or len(declared) > 15:
            raise _Refused(400, "unreadable Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise _Refused(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refused(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _check_signature_headers(request: Request) -> None:
    for name in _SIGNATURE_HEADERS:
        if len(request.headers.get(name, "")) > MAX_SIGNATURE_CHARS:
            raise _Refused(403, "forbidden")


def _check_nesting(body: bytes) -> None:
    """JSON nested past any real payload is refused before a parser recurses into it."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return  # cannot be deeper than that: the usual case, no scan
    depth, in_string, escaped = 0, False, False
    for token in _JSON_TOKENS.finditer(body):
        mark = token.group()
        if in_string:
            if escaped:
                escaped = False
            elif mark == b"\\":
                escaped = True
            elif mark == b'"':
                in_string = False
        elif mark == b'"':
            in_string = True
        elif mark in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _Refused(400, f"malformed: JSON nested deeper than {MAX_JSON_DEPTH}")
        elif mark in (b"]", b"}"):
            depth -= 1


@dataclass(frozen=True)
class RelaySecrets:
    meta_verify_token: str | None
    meta_app_secret: str | None
    tiktok_app_secret: str | None


def build_relay(
    sessions: sessionmaker[Session],
    secrets: RelaySecrets,
    *,
    clock: Callable[[], float] = time.time,
    api: sessionmaker[Session] | None = None,
    api_limits: ApiLimits | None = None,
) -> Starlette:
    """``api``: sessions of the API's own login (``snorq_api``); given, the app
    serves the REST API under /api/v1 too."""

    def store(source: str, body: bytes) -> bool:
        with unit_of_work(sessions) as session:
            return record_event(session, source, body)

    async def accept(request: Request, source: str) -> Response:
        try:
            body = await _capped_body(request)
            _check_signature_headers(request)
            _check_nesting(body)
        except _Refused as refused:
            return refused.response
        try:
            if source == META:
                if not secrets.meta_app_secret:
                    return PlainTextResponse("Meta webhooks are not configured", status_code=404)
                verify_meta(
                    body, request.headers.get("x-hub-signature-256"), secrets.meta_app_secret
                )
            else:
                if not secrets.tiktok_app_secret:
                    return PlainTextResponse("TikTok webhooks are not configured", status_code=404)
                verify_tiktok(
                    body,
                    request.headers.get("tiktok-signature"),
                    secrets.tiktok_app_secret,
                    now=clock(),
                )
        except (SignatureRejected, ValueError) as rejected:  # ValueError: an absurd number
            log.warning("refused a %s webhook: %s", source, rejected)
            return PlainTextResponse("forbidden", status_code=403)
        try:
            load_json(body, "webhook body")
        except MalformedPayload as error:
            return PlainTextResponse(f"malformed: {error.sentence}", status_code=400)
        try:
            new = await run_in_threadpool(store, source, body)
        except DBAPIError:
            log.exception("could not store a %s webhook", source)
            # Not durable: the platform must deliver it again.
            return PlainTextResponse("database unavailable", status_code=503)
        return PlainTextResponse("EVENT_RECEIVED" if new else "DUPLICATE", status_code=200)

    async def meta_handshake(request: Request) -> Response:
        params = request.query_params
        if (
            params.get("hub.mode") == "subscribe"
            and secrets.meta_verify_token
            and params.get("hub.verify_token") == secrets.meta_verify_token
        ):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return PlainTextResponse("forbidden", status_code=403)

    async def meta_post(request: Request) -> Response:
        return await accept(request, META)

    async def tiktok_post(request: Request) -> Response:
        return await accept(request, TIKTOK)

    def database_answers() -> None:
        with sessions() as session:
            session.execute(text("SELECT 1"))

    async def health(_: Request) -> Response:
        try:
            await run_in_threadpool(database_answers)
        except DBAPIError:
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    routes: list[BaseRoute] = [
        Route("/webhooks/meta", meta_handshake, methods=["GET"]),
        Route("/webhooks/meta", meta_post, methods=["POST"]),
        Route("/webhooks/tiktok", tiktok_post, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    if api is not None:
        routes.append(Mount("/api/v1", routes=build_api(api, api_limits or ApiLimits())))
    return Starlette(routes=routes)
