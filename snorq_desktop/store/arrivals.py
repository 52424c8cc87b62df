"""A message arriving in a conversation, and delivery ticks on our replies.

One message at a time, for the demo and for single events; the platforms'
batch ingest (INSERT … ON CONFLICT over many rows) keeps the same rules:
a platform message is stored once, and statuses only move forward.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from snorq_desktop.domain.delivery import statuses_before
from snorq_desktop.domain.enums import (
    ContentType,
    ConversationStatus,
    MessageDirection,
    MessageStatus,
)
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import preview_of
from snorq_desktop.store.models import Conversation, Message


@dataclass(frozen=True)
class Arrival:
    conversation_id: str
    external_id: str
    content: str | None
    content_type: ContentType = ContentType.TEXT
    media_url: str | None = None
    media_type: str | None = None
    sent_at: datetime | None = None


def add_inbound(session: Session, organization_id: str, arrival: Arrival) -> bool:
    """Store an inbound message once; True if it was new.  A new message reopens a
    closed conversation, raises its unread count and becomes its preview."""
    inserted = session.execute(
        insert(Message)
        .values(
            id=new_id(),
            organization_id=organization_id,
            conversation_id=arrival.conversation_id,
            external_id=arrival.external_id,
            direction=MessageDirection.INBOUND,
            content=arrival.content,
            content_type=arrival.content_type,
            media_url=arrival.media_url,
            media_type=arrival.media_type,
            status=MessageStatus.DELIVERED,
            platform_timestamp=arrival.sent_at,
        )
        .on_conflict_do_nothing(
            index_elements=["conversation_id", "external_id"],
            index_where=Message.external_id.isnot(None),
        )
        .returning(Message.id)
    ).scalar_one_or_none()
    if inserted is None:
        return False
    sent_at = arrival.sent_at or func.now()
    # A message that arrives late (out of order) counts as unread but does not
    # replace a newer preview or move the conversation back in time.
    is_newest = func.coalesce(Conversation.last_message_at, sent_at) <= sent_at
    session.execute(
        update(Conversation)
        .where(
            Conversation.organization_id == organization_id,
            Conversation.id == arrival.conversation_id,
        )
        .values(
            unread_count=Conversation.unread_count + 1,
            last_message_preview=case(
                (is_newest, preview_of(arrival.content_type, arrival.content)),
                else_=Conversation.last_message_preview,
            ),
            last_message_at=func.greatest(Conversation.last_message_at, sent_at),
            status=ConversationStatus.OPEN,
        )
    )
    return True


def advance_status(
    session: Session, organization_id: str, message_id: str, status: MessageStatus
) -> str | None:
    """Move an outbound message's status forward; returns its conversation id when it moved."""
    return session.execute(
        update(Message)
        .where(
            Message.organization_id == organization_id,
            Message.id == message_id,
            Message.status.in_(statuses_before(status)),
        )
        .values(status=status)
        .returning(Message.conversation_id)
    ).scalar_one_or_none()
