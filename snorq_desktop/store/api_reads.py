"""What the REST API reads and writes beyond the window's operations: whole
rows under the seed's column names, the sidebar's filters combined, message
pages, and replies queued once per Idempotency-Key.

The conversation list is the window's own page statement (same search plans,
same keyset on activity and id) narrowed by the filters the API adds, so ``q``
finds exactly what the window's search box finds.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, select, tuple_, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ConversationStatus, Platform
from snorq_desktop.domain.errors import KnownError, NotFound
from snorq_desktop.domain.inbox import InboxPosition, InboxQuery, InboxView
from snorq_desktop.store import search
from snorq_desktop.store.inbox import (
    _page_statement,  # the window's statement, so the API lists what the window lists
    _summary_of,
)
from snorq_desktop.store.models import Conversation, Label, Message

SENT_AT = func.coalesce(Message.platform_timestamp, Message.created_at)

CONVERSATION_COLUMNS = (
    "id",
    "platform",
    "external_id",
    "external_thread_id",
    "contact_external_id",
    "contact_name",
    "contact_username",
    "contact_avatar_url",
    "last_message_preview",
    "last_message_at",
    "unread_count",
    "status",
    "labels",
    "platform_connection_id",
    "created_at",
    "updated_at",
    "assignee_user_id",
)
MESSAGE_COLUMNS = (
    "id",
    "conversation_id",
    "external_id",
    "direction",
    "content",
    "content_type",
    "media_url",
    "media_type",
    "status",
    "sent_by_user_id",
    "platform_timestamp",
    "created_at",
    "failure_reason",
)


class IdempotencyKeyReused(KnownError):
    """An Idempotency-Key sent again with a different request."""


@dataclass(frozen=True)
class ConversationFilter:
    platform: Platform | None = None
    status: ConversationStatus | None = None
    unread: bool | None = None
    label: str | None = None  # a label's name
    search: str = ""
    # Who's on it (#17.2): a member's user id, or UNASSIGNED for nobody's.
    assignee: str | None = None


UNASSIGNED = "none"


def _row(model: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in columns}


def _label_id(session: Session, organization_id: str, name: str) -> str | None:
    found: str | None = session.execute(
        select(Label.id).where(
            Label.organization_id == organization_id, func.lower(Label.name) == name.lower()
        )
    ).scalar_one_or_none()
    return found


def conversation_page(
    session: Session,
    organization_id: str,
    wanted: ConversationFilter,
    after: InboxPosition | None,
    limit: int,
) -> tuple[list[dict[str, Any]], InboxPosition | None]:
    """Up to ``limit`` conversations after ``after``, newest activity first, and
    the position to continue from (None: this was the last page)."""
    label_id = None
    if wanted.label is not None:
        label_id = _label_id(session, organization_id, wanted.label)
        if label_id is None:
            return [], None  # no such label: nothing has it
    view = InboxView.ALL
    if wanted.status is not None:
        view = {
            ConversationStatus.OPEN: InboxView.OPEN,
            ConversationStatus.CLOSED: InboxView.CLOSED,
            ConversationStatus.ARCHIVED: InboxView.ARCHIVED,
        }[wanted.status]
    words = search.search_words(wanted.search)
    values: dict[str, Any] = {"org": organization_id, "limit": limit + 1, "label": label_id}
    plan = None
    if words:
        statistics = search.read_statistics(session, words)
        plan = search.choose_plan(words, statistics, limit)
        values["terms"] = search.search_terms(wanted.search)
        values["rarest"] = f"{search.rarest_word(words, statistics)}:*"
    if after is not None:
        values["after_at"], values["after_id"] = after.activity, after.conversation_id
    query = InboxQuery(view, "", "label" if label_id is not None else None)
    statement = _page_statement((query, plan, len(words) > 1, after is not None))
    if wanted.platform is not None:
        statement = statement.where(cast(Conversation.platform, Text) == wanted.platform.value)
    if wanted.unread is True:
        statement = statement.where(Conversation.unread_count > 0)
    elif wanted.unread is False:
        statement = statement.where(Conversation.unread_count == 0)
    if wanted.assignee == UNASSIGNED:
        statement = statement.where(Conversation.assignee_user_id.is_(None))
    elif wanted.assignee is not None:
        statement = statement.where(Conversation.assignee_user_id == wanted.assignee)
    rows = [_summary_of(r) for r in session.connection().execute(statement, values)]
    more = len(rows) > limit
    rows = rows[:limit]
    found = {
        c.id: c
        for c in session.scalars(
            select(Conversation).where(
                Conversation.organization_id == organization_id,
                Conversation.id.in_([r.id for r in rows]),
            )
        )
    }
    page = [_row(found[r.id], CONVERSATION_COLUMNS) for r in rows if r.id in found]
    return page, rows[-1].position if more and rows else None


def conversation(session: Session, organization_id: str, conversation_id: str) -> dict[str, Any]:
    found = session.scalars(
        select(Conversation).where(
            Conversation.organization_id == organization_id, Conversation.id == conversation_id
        )
    ).one_or_none()
    if found is None:
        raise NotFound("There is no conversation with this id in your organisation.")
    return _row(found, CONVERSATION_COLUMNS)


def message_page(
    session: Session,
    organization_id: str,
    conversation_id: str,
    before: tuple[datetime, str] | None,
    limit: int,
) -> tuple[list[dict[str, Any]], tuple[datetime, str] | None]:
    """Messages newest first (the platform's time, else when stored), by keyset."""
    conversation(session, organization_id, conversation_id)  # 404 before an empty page
    statement = (
        select(Message, SENT_AT)
        .where(
            Message.organization_id == organization_id, Message.conversation_id == conversation_id
        )
        .order_by(SENT_AT.desc(), Message.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        statement = statement.where(tuple_(SENT_AT, Message.id) < tuple_(*before))
    rows = session.execute(statement).all()
    more = len(rows) > limit
    rows = rows[:limit]
    page = [_row(m, MESSAGE_COLUMNS) for m, _ in rows]
    return page, (rows[-1][1], rows[-1][0].id) if more and rows else None


def message(session: Session, organization_id: str, message_id: str) -> dict[str, Any]:
    found = session.scalars(
        select(Message).where(Message.organization_id == organization_id, Message.id == message_id)
    ).one()
    return _row(found, MESSAGE_COLUMNS)


def lock_conversation(session: Session, organization_id: str, conversation_id: str) -> None:
    """Replies to one conversation take turns: a retried POST waits for the first."""
    found = session.execute(
        select(Conversation.id)
        .where(Conversation.organization_id == organization_id, Conversation.id == conversation_id)
        .with_for_update()
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("There is no conversation with this id in your organisation.")


def queued_reply(
    session: Session, organization_id: str, idempotency_key: str, conversation_id: str, text: str
) -> str | None:
    """The reply already queued under this key, if any (it must be the same request)."""
    found = session.execute(
        select(Message.id, Message.conversation_id, Message.content).where(
            Message.organization_id == organization_id,
            Message.idempotency_key == idempotency_key,
        )
    ).one_or_none()
    if found is None:
        return None
    if found.conversation_id != conversation_id or (found.content or "") != text:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different reply; use a new key for "
            "a new reply."
        )
    return str(found.id)


def keep_idempotency_key(
    session: Session, organization_id: str, message_id: str, idempotency_key: str
) -> None:
    session.execute(
        update(Message)
        .where(Message.organization_id == organization_id, Message.id == message_id)
        .values(idempotency_key=idempotency_key)
    )
