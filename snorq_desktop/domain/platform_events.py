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
    reply_to: str | None = None  # the platform id of the message this answers
    forwarded: bool = False
    # An echo of a message the business sent from elsewhere (its phone, Meta
    # Business Suite, the TikTok app); our own sends carry the same id and are
    # stored once.
    sent_elsewhere: bool = False
    # Other ids the same person may be stored under (WhatsApp: the phone number
    # when the conversation is keyed on the business-scoped id, or the other way).
    contact_aliases: tuple[str, ...] = ()
    # Not understood: ``content`` says what it was (counted, never dropped).
    placeholder: bool = False


@dataclass(frozen=True, slots=True)
class Reaction:
    """An emoji put on (or, when ``emoji`` is None, taken off) a message."""

    platform: Platform
    account_id: str
    conversation_id: str
    message_id: str  # the message reacted to
    emoji: str | None
    by_business: bool
    at: datetime
    contact_aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageEdit:
    """A message's sender changed its text (or caption)."""

    platform: Platform
    account_id: str
    conversation_id: str
    message_id: str  # the message edited
    content: str | None
    at: datetime
    contact_aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageDeletion:
    """A message's sender deleted it for everyone."""

    platform: Platform
    account_id: str
    conversation_id: str
    message_id: str  # the message deleted
    at: datetime
    contact_aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedEvent:
    """An event of a kind the inbox does not need (account, template, call,
    hand-over…), or one that names no conversation: logged, never stored, and
    never a reason to refuse the rest of its body."""

    platform: Platform
    kind: str
    note: str = ""


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


MessageChange = Reaction | MessageEdit | MessageDeletion
PlatformEvent = PlatformMessage | DeliveryUpdate | ReadUpTo | MessageChange | SkippedEvent


@dataclass(frozen=True, slots=True)
class ReadReceipt:
    """Tell the platform the customer's messages were read (blue ticks)."""

    connection_id: str
    conversation_id: str  # the platform's conversation (conversations.external_id)
    contact_id: str
    message_id: str  # the newest inbound message
