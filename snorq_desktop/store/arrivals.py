"""One message arriving in a known conversation (a single event, or a test):
stored through the batch ingest path, so its rules are the same."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ContentType, MessageDirection
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.models import Conversation, PlatformConnection


@dataclass(frozen=True)
class Arrival:
    conversation_id: str  # our row id
    external_id: str  # the platform's message id
    content: str | None
    content_type: ContentType = ContentType.TEXT
    media_url: str | None = None
    media_type: str | None = None
    sent_at: datetime | None = None


def add_inbound(session: Session, organization_id: str, arrival: Arrival) -> bool:
    """Store an inbound message once; True if it was new."""
    row = session.execute(
        select(
            Conversation.platform_connection_id,
            Conversation.platform,
            Conversation.external_id,
            Conversation.contact_external_id,
            PlatformConnection.platform_user_id,
        )
        .join(PlatformConnection, PlatformConnection.id == Conversation.platform_connection_id)
        .where(
            Conversation.organization_id == organization_id,
            Conversation.id == arrival.conversation_id,
        )
    ).one()
    connection_id, platform, external_id, contact_id, account_id = row
    result = ingest_messages(
        session,
        organization_id=organization_id,
        connection_id=connection_id,
        platform=platform,
        messages=[
            PlatformMessage(
                platform=platform,
                account_id=account_id,
                conversation_id=external_id,
                contact_id=contact_id,
                message_id=arrival.external_id,
                direction=MessageDirection.INBOUND,
                sent_at=arrival.sent_at or datetime.now(UTC),
                content=arrival.content,
                content_type=arrival.content_type,
                media_id=arrival.media_url,
                media_type=arrival.media_type,
            )
        ],
    )
    return result.inserted > 0
