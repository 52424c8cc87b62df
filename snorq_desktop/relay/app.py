"""An ASGI app that accepts platform webhooks, checks their signatures over the
raw body, stores each verified event once, and answers 200 only when it is durable.

Stateless: Postgres is its queue, so any number of relays can run behind any
load balancer.  Forged requests get 403, bodies that are not JSON 400, and
neither writes anything.  Any signed JSON body is kept: what the platforms send
changes faster than our parsers, and a body refused is a body lost (the apps
skip, and log, what they cannot use).
"""

import logging
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
from starlette.routing import Route

from snorq_desktop.domain.platform_events import MalformedPayload
from snorq_desktop.platforms.payload import load_json
from snorq_desktop.platforms.signatures import SignatureRejected, verify_meta, verify_tiktok
from snorq_desktop.platforms.webhooks import META, TIKTOK
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.store.webhook_events import record_event

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Meta batches stay far below this


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
) -> Starlette:
    def store(source: str, body: bytes) -> bool:
        with unit_of_work(sessions) as session:
            return record_event(session, source, body)

    async def accept(request: Request, source: str) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("body too large", status_code=413)
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
        except SignatureRejected as rejected:
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

    return Starlette(
        routes=[
            Route("/webhooks/meta", meta_handshake, methods=["GET"]),
            Route("/webhooks/meta", meta_post, methods=["POST"]),
            Route("/webhooks/tiktok", tiktok_post, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ]
    )
