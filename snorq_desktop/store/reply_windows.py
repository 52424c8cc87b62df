"""The reply-window clocks' reads (#17.5): "Closing soon", and one conversation's window.

"Closing soon" is a range of ``conversations.last_inbound_at`` per platform
(migration 0021's index on ``(organization_id, last_inbound_at)``): a window
of length W closes within the hour when the customer last wrote between
``now - W`` and ``now - W + 1 h``.  Time is the database's ``now()``, the same
clock every app of the team reads.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, Text, and_, bindparam, cast, func, or_, select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ConversationStatus, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.reply_window import (
    CLOSING_SOON,
    MESSENGER_HUMAN_AGENT_TAG,
    ReplyClock,
    free_window,
)
from snorq_desktop.store.compiled_reads import Reads, fetch
from snorq_desktop.store.models import Conversation, Message

_SENT_AT = func.coalesce(Message.platform_timestamp, Message.created_at)


def _interval(span: timedelta) -> Any:
    return text(f"interval '{int(span.total_seconds())} seconds'")


def closing_soon() -> ColumnElement[bool]:
    """Conversations whose free reply window closes within the hour."""
    now = func.now()
    ranges = []
    for platform in Platform:
        length = free_window(platform, human_agent_tag=MESSENGER_HUMAN_AGENT_TAG)
        ranges.append(
            and_(
                cast(Conversation.platform, Text) == platform.value,
                Conversation.last_inbound_at >= now - _interval(length),
                Conversation.last_inbound_at <= now - _interval(length - CLOSING_SOON),
            )
        )
    return or_(*ranges)


def _closing_soon_count() -> Any:
    return (
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.organization_id == bindparam("org", type_=String),
            closing_soon(),
            cast(Conversation.status, Text) != ConversationStatus.ARCHIVED.value,
        )
    )


def closing_soon_count(session: Reads, organization_id: str) -> int:
    """The sidebar's count of "Closing soon" (read by the index, not the inbox),
    compiled once: building this select on every refresh cost more than the read."""
    rows = fetch(session, ("closing soon",), _closing_soon_count, {"org": organization_id})
    return int(rows[0][0]) if rows else 0


def reply_clock(session: Session, organization_id: str, conversation_id: str) -> ReplyClock | None:
    """What a conversation's window depends on: its customer's last message and,
    on TikTok, our replies since that reached them (the quota)."""
    row = session.execute(
        select(Conversation.platform, Conversation.last_inbound_at).where(
            Conversation.organization_id == organization_id, Conversation.id == conversation_id
        )
    ).one_or_none()
    if row is None:
        return None
    platform, last_inbound = Platform(row[0]), row[1]
    replies = 0
    if platform is Platform.TIKTOK and last_inbound is not None:
        replies = int(
            session.scalar(
                select(func.count())
                .select_from(Message)
                .where(
                    Message.organization_id == organization_id,
                    Message.conversation_id == conversation_id,
                    Message.direction == MessageDirection.OUTBOUND,
                    # Only what reached them: not a refused reply, nor one waiting.
                    Message.status.notin_([MessageStatus.FAILED, MessageStatus.PENDING]),
                    last_inbound < _SENT_AT,
                )
            )
            or 0
        )
    return ReplyClock(platform, last_inbound, replies, MESSENGER_HUMAN_AGENT_TAG)
