"""A conversation's thread as the window reads it: messages a page at a time,
with their files, quotes and reactions, and the header above them."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    bindparam,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from snorq_desktop.domain.attachments import AttachmentInfo
from snorq_desktop.domain.business_hours import AutomaticKind
from snorq_desktop.domain.enums import (
    ContentType,
    MessageDirection,
    MessageStatus,
    Platform,
)
from snorq_desktop.domain.inbox import (
    ThreadHeader,
    ThreadMessage,
    reply_blocked_reason,
    template_only_reason,
)
from snorq_desktop.domain.templates import TemplateToSend
from snorq_desktop.store.automatic_models import AutomaticReplyRow
from snorq_desktop.store.compiled_reads import Reads, fetch, members
from snorq_desktop.store.inbox import SENT_AT, _summary, _summary_columns
from snorq_desktop.store.models import (
    Attachment,
    Conversation,
    Message,
    PlatformConnection,
    User,
)
from snorq_desktop.store.reply_windows import reply_clock

_QUOTED = aliased(Message, name="quoted")


def _quoted_text() -> Any:
    """The preview of the message a reply answers, when that message is stored."""
    return (
        select(func.coalesce(_QUOTED.content, literal("")).label("q"))
        .where(
            _QUOTED.conversation_id == Message.conversation_id,
            _QUOTED.external_id == Message.reply_to_external_id,
        )
        .limit(1)
        .scalar_subquery()
    )


def _quote_of(content: str | None, kept: bool) -> str | None:
    if not kept:
        return None
    return " ".join((content or "").split())[:140] or "a message"


def _reactions(found: Any, unsent: str | None) -> tuple[str, ...]:
    """The customer's, then ours: the one waiting in the outbox, if any, over
    the one the platform has ("" waiting: ours is being taken off)."""
    if found is None and unsent is None:  # most messages: spare a page 50 tuples built
        return ()
    kept = found if isinstance(found, dict) else {}
    ours = unsent if unsent is not None else kept.get("business")
    return tuple(str(e) for e in (kept.get("customer"), ours) if e)


def _automatic_kind() -> Any:
    """Which automatic answer a message is (#17.6), for its caption; NULL for the rest."""
    return (
        select(AutomaticReplyRow.kind)
        .where(
            AutomaticReplyRow.organization_id == Message.organization_id,
            AutomaticReplyRow.message_id == Message.id,
        )
        .limit(1)
        .scalar_subquery()
    )


def _my_reaction(found: Any, unsent: str | None) -> str | None:
    if unsent is not None:
        return unsent or None
    return str(found["business"]) if isinstance(found, dict) and found.get("business") else None


def _thread_columns() -> Any:  # a Select of many typed columns
    columns = select(
        Message.id,
        Message.direction,
        Message.content,
        Message.content_type,
        Message.media_url,
        Message.media_type,
        Message.status,
        SENT_AT.label("sent_at"),
        User.name.label("sender_name"),
        User.email.label("sender_email"),
        Message.failure_reason,
        Message.template,
        Attachment.file_name,
        Attachment.size_bytes,
        Attachment.content.isnot(None).label("content_kept"),
        Attachment.problem,
        Message.reply_to_external_id,
        _quoted_text().label("quoted"),
        Message.forwarded,
        Message.sent_elsewhere,
        Message.edited_at,
        Message.deleted_at,
        Message.reactions,
        Message.external_id,
        Message.reaction_unsent,
        Message.send_at,
        _automatic_kind().label("automatic"),
    ).outerjoin(User, User.id == Message.sent_by_user_id)
    return columns.outerjoin(Attachment, Attachment.message_id == Message.id)


_DIRECTIONS = members(MessageDirection)
_CONTENT_TYPES = members(ContentType)
_STATUSES = members(MessageStatus)


def _message(row: Any) -> ThreadMessage:
    """A message from a row of :func:`_thread_columns`: a SQLAlchemy row, or a raw
    one (enums as text).  Unpacked at once and built positionally, in the field
    order of ThreadMessage: by name, and through a named tuple per row, a
    page of 50 cost a third of the read beyond its SQL."""
    (
        message_id,
        direction,
        content,
        content_type,
        media_url,
        media_type,
        status,
        sent_at,
        sender_name,
        sender_email,
        failure_reason,
        template,
        file_name,
        size_bytes,
        content_kept,
        problem,
        reply_to_external_id,
        quoted,
        forwarded,
        sent_elsewhere,
        edited_at,
        deleted_at,
        reactions,
        external_id,
        reaction_unsent,
        send_at,
        automatic,
    ) = row
    outbound = direction == MessageDirection.OUTBOUND
    return ThreadMessage(
        message_id,
        _DIRECTIONS[direction],
        content,
        _CONTENT_TYPES[content_type],
        media_url,
        media_type,
        _STATUSES[status],
        sent_at,
        (sender_name or sender_email) if outbound else None,  # sender_name
        failure_reason,
        AttachmentInfo(file_name, size_bytes, content_kept, problem)
        if file_name is not None
        else None,
        TemplateToSend.from_json(template).name if template else None,  # template_name
        reply_to_external_id,  # reply_to_id
        _quote_of(quoted, quoted is not None),
        forwarded,
        sent_elsewhere,
        edited_at is not None,  # edited
        deleted_at is not None,  # deleted
        _reactions(reactions, reaction_unsent),
        external_id,  # platform_id
        _my_reaction(reactions, reaction_unsent),
        send_at,
        AutomaticKind(automatic) if automatic else None,
    )


def _thread_page_statement(paging: bool) -> Any:  # a Select of many typed columns
    statement = _thread_columns().where(
        Message.organization_id == bindparam("org", type_=String),
        Message.conversation_id == bindparam("conversation", type_=String),
    )
    if paging:
        statement = statement.where(
            tuple_(SENT_AT, Message.id)
            < tuple_(
                bindparam("before_at", type_=DateTime(timezone=True)),
                bindparam("before_id", type_=String),
            )
        )
    return statement.order_by(SENT_AT.desc(), Message.id.desc()).limit(
        bindparam("limit", type_=Integer)
    )


def thread_page(
    session: Reads,
    organization_id: str,
    conversation_id: str,
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[ThreadMessage]:
    """Up to ``limit`` messages said before ``before`` (the newest when None), oldest first."""
    values: dict[str, Any] = {"org": organization_id, "conversation": conversation_id}
    values["limit"] = limit
    if before is not None:
        values["before_at"], values["before_id"] = before
    paging = before is not None
    rows = fetch(session, ("thread", paging), lambda: _thread_page_statement(paging), values)
    rows.reverse()
    return [_message(row) for row in rows]


def thread_messages(
    session: Session, organization_id: str, message_ids: Iterable[str]
) -> list[ThreadMessage]:
    ids = list(message_ids)
    if not ids:
        return []
    rows = session.execute(
        _thread_columns()
        .where(Message.organization_id == organization_id, Message.id.in_(ids))
        .order_by(SENT_AT, Message.id)
    )
    return [_message(row) for row in rows]


def thread_since(
    session: Session, organization_id: str, conversation_id: str, after: tuple[datetime, str]
) -> list[ThreadMessage]:
    """Messages said after ``after``, oldest first (a thread catching up)."""
    rows = session.execute(
        _thread_columns()
        .where(
            Message.organization_id == organization_id,
            Message.conversation_id == conversation_id,
            tuple_(SENT_AT, Message.id) > tuple_(after[0], after[1]),
        )
        .order_by(SENT_AT, Message.id)
        .limit(500)
    )
    return [_message(row) for row in rows]


def thread_header(
    session: Session, organization_id: str, conversation_id: str
) -> ThreadHeader | None:
    row = session.execute(
        _summary_columns()
        .add_columns(PlatformConnection.error_message, Conversation.platform_connection_id)
        .where(Conversation.organization_id == organization_id, Conversation.id == conversation_id)
    ).one_or_none()
    if row is None:
        return None
    summary = _summary(row)
    reason = reply_blocked_reason(summary.connection_status, summary.platform)
    template_only = None
    if summary.platform is Platform.WHATSAPP:
        last_inbound, now = session.execute(
            select(func.max(SENT_AT), func.now()).where(
                Message.organization_id == organization_id,
                Message.conversation_id == conversation_id,
                Message.direction == MessageDirection.INBOUND,
            )
        ).one()
        template_only = template_only_reason(summary.platform, last_inbound, now)
    return ThreadHeader(
        conversation=summary,
        connection_error=row.error_message,
        can_reply=reason is None,
        reply_blocked_reason=reason,
        template_only_reason=template_only,
        connection_id=row.platform_connection_id,
        reply_clock=reply_clock(session, organization_id, conversation_id),
    )
