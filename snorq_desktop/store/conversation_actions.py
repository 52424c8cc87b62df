"""What a person does to conversations from the window: read, unread, close,
archive, reopen, reply.  Each returns nothing but changes rows; the caller
commits and publishes the Changes."""

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.attachments import FileToSend
from snorq_desktop.domain.enums import (
    ContentType,
    ConversationStatus,
    MessageDirection,
    MessageStatus,
    Platform,
)
from snorq_desktop.domain.errors import NotFound, PermissionDenied
from snorq_desktop.domain.inbox import preview_of, reply_blocked_reason
from snorq_desktop.domain.message_actions import quote_refusal
from snorq_desktop.domain.templates import TemplateToSend
from snorq_desktop.store.attachments import keep_outgoing
from snorq_desktop.store.models import Conversation, Message, PlatformConnection


def _conversation_filter(
    organization_id: str, conversation_id: str
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (Conversation.organization_id == organization_id, Conversation.id == conversation_id)


def mark_read(session: Session, organization_id: str, conversation_id: str) -> bool:
    """Unread back to 0; True if anything changed.  Does not touch the order of the inbox."""
    result = session.execute(
        update(Conversation)
        .where(
            *_conversation_filter(organization_id, conversation_id), Conversation.unread_count > 0
        )
        .values(unread_count=0)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_unread(session: Session, organization_id: str, conversation_id: str) -> None:
    result = session.execute(
        update(Conversation)
        .where(*_conversation_filter(organization_id, conversation_id))
        .values(unread_count=func.greatest(Conversation.unread_count, 1))
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("That conversation no longer exists.")


def set_status(
    session: Session, organization_id: str, conversation_id: str, status: ConversationStatus
) -> None:
    result = session.execute(
        update(Conversation)
        .where(*_conversation_filter(organization_id, conversation_id))
        .values(status=status)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("That conversation no longer exists.")


def add_reply(
    session: Session,
    *,
    organization_id: str,
    conversation_id: str,
    message_id: str,
    sender_id: str,
    text: str,
    file: FileToSend | None = None,
    template: TemplateToSend | None = None,
    reply_to: str | None = None,
) -> bool:
    """Store a reply as PENDING under an id made by the caller before anything is
    sent; storing the same id twice is a no-op (returns False), so a retry after a
    lost connection never makes two messages.  ``reply_to``: the message (our id)
    it answers, looked for in this conversation only: a message of another
    conversation is refused, never quoted."""
    row = session.execute(
        select(PlatformConnection.status, Conversation.platform)
        .join(Conversation, Conversation.platform_connection_id == PlatformConnection.id)
        .where(*_conversation_filter(organization_id, conversation_id))
        .with_for_update(of=Conversation)
    ).one_or_none()
    if row is None:
        raise NotFound("That conversation no longer exists.")
    if reason := reply_blocked_reason(row.status, row.platform):
        raise PermissionDenied(reason)
    if session.get(Message, message_id) is not None:
        return False
    answers = None
    if reply_to is not None:
        answers = _platform_id_answered(
            session, organization_id, conversation_id, reply_to, row.platform
        )
    content_type = file.content_type if file else ContentType.TEXT
    now = datetime.now(UTC)
    session.add(
        Message(
            id=message_id,
            organization_id=organization_id,
            conversation_id=conversation_id,
            direction=MessageDirection.OUTBOUND,
            content=text or None,
            content_type=content_type,
            media_type=file.mime_type if file else None,
            status=MessageStatus.PENDING,
            sent_by_user_id=sender_id,
            created_at=now,
            template=template.to_json() if template else None,
            reply_to_external_id=answers,
        )
    )
    if file is not None:
        session.flush()  # the message row first: the file hangs off it
        keep_outgoing(session, message_id, file)
    session.execute(
        update(Conversation)
        .where(Conversation.organization_id == organization_id, Conversation.id == conversation_id)
        .values(
            last_message_preview=preview_of(content_type, text),
            last_message_at=now,
            last_message_direction=MessageDirection.OUTBOUND.value,  # now waiting for them
            unread_count=0,  # answering a conversation reads it
            status=ConversationStatus.OPEN,
        )
    )
    session.flush()
    return True


def _platform_id_answered(
    session: Session, organization_id: str, conversation_id: str, reply_to: str, platform: Platform
) -> str:
    found = session.execute(
        select(Message.external_id, Message.deleted_at.isnot(None)).where(
            Message.id == reply_to,
            Message.conversation_id == conversation_id,
            Message.organization_id == organization_id,
        )
    ).one_or_none()
    if found is None:
        raise NotFound("The message this reply answers is not in this conversation.")
    if reason := quote_refusal(platform, found[0], found[1]):
        raise PermissionDenied(reason)
    assert found[0] is not None
    return str(found[0])


def retry_failed(session: Session, organization_id: str, message_id: str) -> str:
    """A FAILED reply goes back to the outbox; returns its conversation id."""
    conversation_id = session.execute(
        update(Message)
        .where(
            Message.organization_id == organization_id,
            Message.id == message_id,
            Message.status == MessageStatus.FAILED,
        )
        .values(status=MessageStatus.PENDING, send_started_at=None, failure_reason=None)
        .returning(Message.conversation_id)
    ).scalar_one_or_none()
    if conversation_id is None:
        raise NotFound("That message is no longer waiting for a retry.")
    return conversation_id
