"""The BUSINESS plan's REST API under ``/api/v1``, served by the relay's app.

Stateless like the relay.  It logs in to the database as ``snorq_api``, which
holds a member's table privileges and no more; each request is one
transaction whose first statement, ``snorq_api_begin`` (migration 0018),
checks the presented key's hash and makes the row-level security policies
answer for that key's organisation and role for the rest of the transaction.
So a key sees and changes only its organisation's rows, as its role allows,
whatever this code asks.

Replies are queued PENDING like the window's; the outbox (an app, or
``snorq-desktop sync --forever`` on the server) sends them under the
connection's lock.  A POST with an Idempotency-Key queues its reply once.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from snorq_desktop.domain.api_keys import ApiCaller
from snorq_desktop.domain.enums import ConversationStatus, Platform
from snorq_desktop.domain.errors import (
    ApiKeyRefused,
    KnownError,
    NotFound,
    PermissionDenied,
    PlanRefused,
)
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import Changes, InboxPosition
from snorq_desktop.domain.labels import DEFAULT_LABEL_COLOUR
from snorq_desktop.relay.api_http import (
    Problem,
    RateLimit,
    as_json,
    bad_request,
    decode_cursor,
    encode_cursor,
    json_body,
    text_field,
    too_many,
)
from snorq_desktop.relay.api_openapi import openapi_document
from snorq_desktop.store import api_reads, labels, notes
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store.api_keys import begin_as_key
from snorq_desktop.store.api_reads import ConversationFilter, IdempotencyKeyReused
from snorq_desktop.store.change_notices import notify_changes
from snorq_desktop.store.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

API_ORIGIN = "api"  # on the NOTIFY of every write, so the windows refresh
MAX_PAGE = 200
Work = Callable[[Session, ApiCaller], Response]


@dataclass(frozen=True)
class ApiLimits:
    requests_per_minute: int = 600
    burst: int = 60
    clock: Callable[[], float] = time.monotonic


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Problem(
            401,
            "unauthorized",
            "An API key is needed",
            "Send the key as `Authorization: Bearer snorq_live_…` (Team ▸ API keys… makes one).",
            {"WWW-Authenticate": 'Bearer realm="snorq"'},
        )
    if len(key) > 200:
        raise Problem(401, "unauthorized", "The API key is not valid", "That is not an API key.")
    return key.strip()


def _refusal(error: KnownError) -> Problem:
    if isinstance(error, ApiKeyRefused):
        return Problem(
            401,
            "unauthorized",
            "The API key is not valid",
            error.sentence,
            {"WWW-Authenticate": 'Bearer realm="snorq", error="invalid_token"'},
        )
    if isinstance(error, PlanRefused):
        return Problem(403, "plan", "API access needs the Business plan", error.sentence)
    if isinstance(error, PermissionDenied):
        return Problem(403, "forbidden", "Not allowed", error.sentence)
    if isinstance(error, NotFound):
        return Problem(404, "not-found", "Not found", error.sentence)
    if isinstance(error, IdempotencyKeyReused):
        return Problem(422, "idempotency-key-reused", "Idempotency-Key reused", error.sentence)
    return Problem(422, "refused", "The request was refused", error.sentence)


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise bad_request(f"limit must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def _choice(request: Request, name: str, kind: Any) -> Any:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return kind(raw.upper())
    except ValueError:
        allowed = ", ".join(v.value for v in kind)
        raise bad_request(f"{name} must be one of {allowed}.") from None


def _filters(request: Request) -> ConversationFilter:
    unread_text = request.query_params.get("unread")
    if unread_text not in (None, "true", "false"):
        raise bad_request("unread must be true or false.")
    return ConversationFilter(
        platform=_choice(request, "platform", Platform),
        status=_choice(request, "status", ConversationStatus),
        unread=None if unread_text is None else unread_text == "true",
        label=request.query_params.get("label"),
        search=request.query_params.get("q", "")[:200],
        assignee=_assignee(request),
    )


def _assignee(request: Request) -> str | None:
    raw = request.query_params.get("assignee")
    if raw is None:
        return None
    if not raw.strip() or len(raw) > 64:
        raise bad_request("assignee must be a member's user id, or none for unassigned ones.")
    return raw.strip()


def _tell(session: Session, caller: ApiCaller, conversation_id: str, messages: bool) -> None:
    ids = frozenset({conversation_id})
    changes = Changes(conversations=ids, messages=ids if messages else frozenset())
    notify_changes(session, caller.organization_id, changes, API_ORIGIN)


def build_api(sessions: sessionmaker[Session], limits: ApiLimits) -> list[Route]:
    """The routes under /api/v1.  ``sessions``: the ``snorq_api`` login's."""
    limiter = RateLimit(limits.requests_per_minute, limits.burst, limits.clock)

    def as_key(key: str, work: Work) -> Response:
        with unit_of_work(sessions) as session:
            caller = begin_as_key(session, key)
            return work(session, caller)

    async def run(request: Request, work: Work) -> Response:
        try:
            key = _bearer(request)
            wait = limiter.wait_needed(key)
            if wait:
                raise too_many(wait)
            try:
                try:
                    return await run_in_threadpool(as_key, key, work)
                except IntegrityError:
                    # Lost a race on another connection (the same Idempotency-Key, a
                    # label made at that moment): once more sees what won.
                    return await run_in_threadpool(as_key, key, work)
            except KnownError as error:
                raise _refusal(error) from None
        except Problem as problem:
            return problem.response(request.url.path)
        except DBAPIError:
            log.exception("the API could not reach the database")
            return Problem(
                503, "unavailable", "The database is unavailable", "Try again in a moment."
            ).response(request.url.path)

    async def list_conversations(request: Request) -> Response:
        try:
            wanted, limit = _filters(request), _limit(request)
            after = decode_cursor(request.query_params.get("cursor"))
        except Problem as problem:
            return problem.response(request.url.path)
        position = InboxPosition(*after) if after else None

        def work(session: Session, caller: ApiCaller) -> Response:
            page, last = api_reads.conversation_page(
                session, caller.organization_id, wanted, position, limit
            )
            following = encode_cursor(last.activity, last.conversation_id) if last else None
            return JSONResponse({"data": as_json(page), "next_cursor": following})

        return await run(request, work)

    async def get_conversation(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]

        def work(session: Session, caller: ApiCaller) -> Response:
            row = api_reads.conversation(session, caller.organization_id, conversation_id)
            return JSONResponse(as_json(row))

        return await run(request, work)

    async def list_messages(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        try:
            limit, before = _limit(request), decode_cursor(request.query_params.get("cursor"))
        except Problem as problem:
            return problem.response(request.url.path)

        def work(session: Session, caller: ApiCaller) -> Response:
            page, last = api_reads.message_page(
                session, caller.organization_id, conversation_id, before, limit
            )
            following = encode_cursor(*last) if last else None
            return JSONResponse({"data": as_json(page), "next_cursor": following})

        return await run(request, work)

    async def send_message(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        given_key = request.headers.get("idempotency-key")
        try:
            text = text_field(await json_body(request), "text")
            if given_key is not None and not 1 <= len(given_key) <= 255:
                raise bad_request("An Idempotency-Key is 1 to 255 characters.")
        except Problem as problem:
            return problem.response(request.url.path)

        def work(session: Session, caller: ApiCaller) -> Response:
            org = caller.organization_id
            api_reads.lock_conversation(session, org, conversation_id)
            stored_key = f"{caller.key_id}:{given_key}" if given_key is not None else None
            if stored_key is not None:
                earlier = api_reads.queued_reply(session, org, stored_key, conversation_id, text)
                if earlier is not None:
                    row = api_reads.message(session, org, earlier)
                    return JSONResponse(as_json(row), headers={"Idempotent-Replayed": "true"})
            message_id = new_id()
            actions.add_reply(
                session,
                organization_id=org,
                conversation_id=conversation_id,
                message_id=message_id,
                sender_id=caller.user_id,
                text=text,
            )
            if stored_key is not None:
                api_reads.keep_idempotency_key(session, org, message_id, stored_key)
            _tell(session, caller, conversation_id, messages=True)
            return JSONResponse(as_json(api_reads.message(session, org, message_id)), 201)

        return await run(request, work)

    async def change_label(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        name = request.path_params["name"]
        adding = request.method == "POST"

        def work(session: Session, caller: ApiCaller) -> Response:
            org = caller.organization_id
            api_reads.conversation(session, org, conversation_id)
            if adding:
                label_id = labels.find_or_create_label(session, org, name, DEFAULT_LABEL_COLOUR)
                changed = labels.apply_label(session, org, label_id, [conversation_id])
            else:
                found = api_reads._label_id(session, org, name)
                changed = (
                    labels.remove_label(session, org, found, [conversation_id]) if found else []
                )
            if changed:
                _tell(session, caller, conversation_id, messages=False)
            session.expire_all()
            return JSONResponse(as_json(api_reads.conversation(session, org, conversation_id)))

        return await run(request, work)

    async def add_note(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        try:
            content = text_field(await json_body(request), "content")
        except Problem as problem:
            return problem.response(request.url.path)

        def work(session: Session, caller: ApiCaller) -> Response:
            note = notes.add_note(
                session, caller.organization_id, conversation_id, caller.user_id, content
            )
            _tell(session, caller, conversation_id, messages=True)
            return JSONResponse(
                as_json(
                    {
                        "id": note.id,
                        "conversation_id": conversation_id,
                        "content": note.content,
                        "author_id": note.author_id,
                        "created_at": note.written_at,
                    }
                ),
                201,
            )

        return await run(request, work)

    async def change_conversation(request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        try:
            body = await json_body(request)
            raw = text_field(body, "status")
            if set(body) - {"status"}:
                raise bad_request("Only status can be changed.")
            try:
                status = ConversationStatus(raw.upper())
            except ValueError:
                raise bad_request("status must be one of OPEN, CLOSED, ARCHIVED.") from None
        except Problem as problem:
            return problem.response(request.url.path)

        def work(session: Session, caller: ApiCaller) -> Response:
            org = caller.organization_id
            actions.set_status(session, org, conversation_id, status)
            _tell(session, caller, conversation_id, messages=False)
            session.expire_all()
            return JSONResponse(as_json(api_reads.conversation(session, org, conversation_id)))

        return await run(request, work)

    async def openapi(_: Request) -> Response:
        return JSONResponse(openapi_document())

    one = "/conversations/{conversation_id}"
    return [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/conversations", list_conversations, methods=["GET"]),
        Route(one, get_conversation, methods=["GET"]),
        Route(one, change_conversation, methods=["PATCH"]),
        Route(one + "/messages", list_messages, methods=["GET"]),
        Route(one + "/messages", send_message, methods=["POST"]),
        Route(one + "/labels/{name}", change_label, methods=["POST", "DELETE"]),
        Route(one + "/notes", add_note, methods=["POST"]),
    ]
