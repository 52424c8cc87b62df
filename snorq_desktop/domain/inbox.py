"""What the window shows, as plain values: never ORM objects.

The inbox is ordered by *activity* (the last message's time, else the
conversation's creation), newest first, ties broken by id, and paged by
keyset on exactly that pair.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar, dataclass_transform

from snorq_desktop.domain.attachments import AttachmentInfo
from snorq_desktop.domain.business_hours import AutomaticKind
from snorq_desktop.domain.enums import (
    ConnectionStatus,
    ContentType,
    ConversationStatus,
    MessageDirection,
    MessageStatus,
    Platform,
)
from snorq_desktop.domain.reply_window import ReplyClock
from snorq_desktop.domain.view_split import InboxSplit


class InboxView(StrEnum):
    """The sidebar's views."""

    ALL = "all"  # everything not archived
    UNREAD = "unread"
    TIKTOK = "tiktok"
    WHATSAPP = "whatsapp"
    FACEBOOK = "facebook"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"
    CLOSING_SOON = "closing_soon"  # a free reply window closes within the hour (#17.5)
    # Who's on it (#17.2): open conversations assigned to me / to nobody.
    MINE = "mine"
    UNASSIGNED = "unassigned"
    SNOOZED = "snoozed"  # hidden from the others until their time (#17.3)

    @property
    def platform(self) -> Platform | None:
        return {
            InboxView.TIKTOK: Platform.TIKTOK,
            InboxView.WHATSAPP: Platform.WHATSAPP,
            InboxView.FACEBOOK: Platform.FACEBOOK,
        }.get(self)

    @property
    def status(self) -> ConversationStatus | None:
        return {
            InboxView.OPEN: ConversationStatus.OPEN,
            InboxView.CLOSED: ConversationStatus.CLOSED,
            InboxView.ARCHIVED: ConversationStatus.ARCHIVED,
        }.get(self)


VIEW_TITLES = {
    InboxView.ALL: "All",
    InboxView.UNREAD: "Unread",
    InboxView.TIKTOK: "TikTok",
    InboxView.WHATSAPP: "WhatsApp",
    InboxView.FACEBOOK: "Messenger",
    InboxView.OPEN: "Open",
    InboxView.CLOSED: "Closed",
    InboxView.ARCHIVED: "Archived",
    InboxView.CLOSING_SOON: "Closing soon",
    InboxView.MINE: "Mine",
    InboxView.UNASSIGNED: "Unassigned",
    InboxView.SNOOZED: "Snoozed",
}

PLATFORM_NAMES = {
    Platform.TIKTOK: "TikTok",
    Platform.WHATSAPP: "WhatsApp",
    Platform.FACEBOOK: "Messenger",
}


@dataclass(frozen=True)
class InboxQuery:
    view: InboxView = InboxView.ALL
    search: str = ""
    label_id: str | None = None  # a label's view: only conversations that have it
    me: str | None = None  # the signed-in person, for Mine (the service fills it in)
    split: InboxSplit = InboxSplit.ALL  # the bar above the list narrows any view


@dataclass(frozen=True, order=True, slots=True)
class InboxPosition:
    """A conversation's place in the inbox: (activity, id), compared as a pair."""

    activity: datetime
    conversation_id: str


# The window builds one of these per inbox row and per thread message read: a
# frozen dataclass's __init__ sets each field through object.__setattr__ (1.2 µs
# for a summary's 14 fields, 2 µs for a message's 24), a plain slotted one by
# assignment (0.13 µs): a fifth of an inbox page's read.  So they are frozen
# where the type checker looks (no code may assign to one: dataclass_transform)
# and plain slotted dataclasses with the same equality and hash at run time.
_Row = TypeVar("_Row")


@dataclass_transform(frozen_default=True)
def _read_row(cls: type[_Row]) -> type[_Row]:
    return dataclass(slots=True, unsafe_hash=True)(cls)


@_read_row  # one per loaded inbox row: keep it small
class ConversationSummary:
    id: str
    platform: Platform
    contact_name: str
    contact_avatar_url: str | None
    last_message_preview: str | None
    last_message_at: datetime | None
    activity: datetime
    unread_count: int
    status: ConversationStatus
    connection_status: ConnectionStatus
    labels: tuple[str, ...] = ()  # names, from the seed's array (kept equal to the tables)
    last_inbound_at: datetime | None = None  # the customer's last message (reply windows)
    assignee_id: str | None = None  # the teammate on it (#17.2); None: Unassigned
    snoozed_until: datetime | None = None  # hidden until then (None: not snoozed)

    @property
    def position(self) -> InboxPosition:
        return InboxPosition(self.activity, self.id)


DELETED_TEXT = "This message was deleted"


@_read_row
class ThreadMessage:
    id: str
    direction: MessageDirection
    content: str | None
    content_type: ContentType
    media_url: str | None
    media_type: str | None
    status: MessageStatus
    sent_at: datetime  # the platform's time when known, else when we stored it
    sender_name: str | None = None
    failure_reason: str | None = None
    attachment: AttachmentInfo | None = None
    template_name: str | None = None  # sent as this WhatsApp template
    # The message in its conversation (migration 0010).
    reply_to_id: str | None = None  # the platform id of the message it answers
    quoted: str | None = None  # that message's preview, when it is stored
    forwarded: bool = False
    sent_elsewhere: bool = False  # the business sent it from its phone / Business Suite
    edited: bool = False
    deleted: bool = False
    reactions: tuple[str, ...] = ()  # the emoji on it: the customer's, then ours
    platform_id: str | None = None  # its id on the platform (None until sent)
    my_reaction: str | None = None  # ours on it, shown at once while the outbox sends it
    send_at: datetime | None = None  # a reply scheduled for this time (send later, #17.4)
    automatic: AutomaticKind | None = None  # sent by the business hours' rules (#17.6)

    @property
    def shown_text(self) -> str | None:
        """What the bubble says: a deleted message leaves only a note of it."""
        return DELETED_TEXT if self.deleted else self.content


@dataclass(frozen=True)
class ThreadHeader:
    conversation: ConversationSummary
    connection_error: str | None
    can_reply: bool
    reply_blocked_reason: str | None
    # WhatsApp more than 24 hours after the customer's last message: only an
    # approved template may go out (free text and files are refused).
    template_only_reason: str | None = None
    connection_id: str | None = None
    reply_clock: ReplyClock | None = None  # the free reply window's countdown (#17.5)


@dataclass(frozen=True)
class ViewCounts:
    counts: dict[InboxView, int] = field(default_factory=dict)
    unread_messages: int = 0  # the tray badge
    next_wake: datetime | None = None  # the earliest snooze's end, due or not


@dataclass(frozen=True)
class Changes:
    """What a write changed, so each screen refreshes only that.

    ``conversations``: ids whose row (preview, unread, status, order) changed.
    ``messages``: conversation ids whose thread gained or changed messages.
    ``arrivals``: (conversation id, preview) of new inbound messages, for
    notifications.
    ``labels``: the organisation's labels were created, renamed, recoloured or
    deleted (every list showing them refreshes).
    ``connections``: a platform connection was renewed, stopped or found expired
    (every view showing a connection's state looks again: rows, thread, reply box).
    ``quick_replies``: the team's quick replies were added, changed or deleted.
    ``assignments``: (conversation id, assignee's user id) of conversations just
    given to someone, so the assignee's window tells them (ids only).
    ``business_hours``: the business hours or the away / greeting messages changed.
    """

    conversations: frozenset[str] = frozenset()
    messages: frozenset[str] = frozenset()
    arrivals: tuple[tuple[str, str], ...] = ()
    labels: bool = False
    connections: bool = False
    quick_replies: bool = False
    assignments: tuple[tuple[str, str], ...] = ()
    business_hours: bool = False

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(
            self.conversations | other.conversations,
            self.messages | other.messages,
            self.arrivals + other.arrivals,
            self.labels or other.labels,
            self.connections or other.connections,
            self.quick_replies or other.quick_replies,
            self.assignments + other.assignments,
            business_hours=self.business_hours or other.business_hours,
        )

    def __bool__(self) -> bool:
        return bool(
            self.conversations
            or self.messages
            or self.arrivals
            or self.labels
            or self.connections
            or self.quick_replies
            or self.assignments
            or self.business_hours
        )


def reply_blocked_reason(status: ConnectionStatus, platform: Platform) -> str | None:
    """Why replies cannot be sent on this connection now, or None."""
    name = PLATFORM_NAMES[platform]
    if status is ConnectionStatus.EXPIRED:
        return f"The {name} connection has expired: reconnect it to reply."
    if status is ConnectionStatus.DISCONNECTED:
        return f"The {name} connection was disconnected: reconnect it to reply."
    return None


WHATSAPP_WINDOW = timedelta(hours=24)


def template_only_reason(
    platform: Platform, last_inbound_at: datetime | None, now: datetime
) -> str | None:
    """Why only a template can be sent now, or None when free replies are allowed."""
    if platform is not Platform.WHATSAPP:
        return None
    if last_inbound_at is not None and now - last_inbound_at <= WHATSAPP_WINDOW:
        return None
    return (
        "More than 24 hours have passed since the customer's last message: WhatsApp "
        "allows only an approved template until they write again."
    )


def preview_of(content_type: ContentType, content: str | None) -> str:
    """The inbox's one-line preview of a message."""
    if content_type is ContentType.TEXT and content:
        return " ".join(content.split())[:200]
    label = {
        ContentType.IMAGE: "📷 Photo",
        ContentType.VIDEO: "🎬 Video",
        ContentType.AUDIO: "🎤 Voice message",
        ContentType.FILE: "📎 File",
        ContentType.STICKER: "Sticker",
        ContentType.LOCATION: "📍 Location",
        ContentType.TEXT: "Message",
    }[content_type]
    return f"{label}: {' '.join(content.split())[:180]}" if content else label
