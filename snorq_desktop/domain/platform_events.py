"""What the platforms tell us, parsed into plain values.

Every payload in PLATFORMS.md becomes one of these (or a MalformedPayload);
the rest of the app never sees platform JSON.
"""

from dataclasses import dataclass
from datetime import datetime

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.errors import KnownError


class MalformedPayload(KnownError):
    """A platform payload that does not have the documented shape."""


@dataclass(frozen=True, slots=True)
class PlatformMessage:
    """One message on a platform, either way (our own sends echo back too)."""

    platform: Platform
    account_id: str  # our side: phone number id, page id, TikTok business id
    conversation_id: str  # the platform's conversation (WhatsApp: the contact)
    contact_id: str  # the customer's id on the platform
    message_id: str  # the platform's message id (wamid…, m_…, TikTok message_id)
    direction: MessageDirection
    sent_at: datetime
    content: str | None
    content_type: ContentType = ContentType.TEXT
    media_id: str | None = None
    media_type: str | None = None
    contact_name: str | None = None
    contact_username: str | None = None
    contact_avatar_url: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryUpdate:
    """A status event about one of our messages."""

    platform: Platform
    account_id: str
    message_id: str
    status: MessageStatus
    at: datetime
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ReadUpTo:
    """Messenger's read/delivery watermark: every message of ours up to ``at``."""

    platform: Platform
    account_id: str
    contact_id: str
    status: MessageStatus
    at: datetime


PlatformEvent = PlatformMessage | DeliveryUpdate | ReadUpTo


@dataclass(frozen=True, slots=True)
class ReadReceipt:
    """Tell the platform the customer's messages were read (blue ticks)."""

    connection_id: str
    conversation_id: str  # the platform's conversation (conversations.external_id)
    contact_id: str
    message_id: str  # the newest inbound message
