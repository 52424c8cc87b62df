"""Replies waiting to be sent, and what became of each attempt.

A reply is claimed (``send_started_at``) before the request goes out, in its
own committed transaction.  If the app dies before the answer is stored, the
outcome is unknown: such a reply is never sent again silently; it is marked
FAILED with a sentence saying so, and the person decides whether to retry.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from snorq_desktop.domain.enums import (
    ConnectionStatus,
    ContentType,
    MessageDirection,
    MessageStatus,
)
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.platform_events import ReadReceipt
from snorq_desktop.domain.templates import TemplateToSend
from snorq_desktop.store.change_notices import notify_changes
from snorq_desktop.store.models import Conversation, Message, PlatformConnection

UNKNOWN_OUTCOME = (
    "SNORQ stopped while sending this, so it may or may not have reached the customer. "
    "Check the conversation on the platform, then retry if it is missing."
)


@dataclass(frozen=True)
class OutgoingReply:
    message_id: str
    conversation_id: str
    conversation_external_id: str
    contact_id: str
    text: str
    last_inbound_at: datetime | None
    content_type: ContentType = ContentType.TEXT
    template: TemplateToSend | None = None
    reply_to: str | None = None  # the platform id of the message it answers
    send_at: datetime | None = None  # scheduled for this time (send later, #17.4)


def due(now: datetime | None) -> ColumnElement[bool]:
    """A reply sent at once, or one scheduled for ``now`` or before (the
    database's now when None)."""
    return or_(Message.send_at.is_(None), Message.send_at <= (now or func.now()))


def pending_replies(
    session: Session,
    organization_id: str,
    connection_id: str,
    limit: int = 200,
    now: datetime | None = None,
) -> list[OutgoingReply]:
    """Unsent replies of a connection that are due, oldest first (so each
    conversation keeps its order); a reply scheduled later waits and holds up
    nothing."""
    inbound = aliased(Message)
    last_inbound = (
        select(func.max(func.coalesce(inbound.platform_timestamp, inbound.created_at)))
        .where(
            inbound.organization_id == organization_id,
            inbound.conversation_id == Conversation.id,
            inbound.direction == MessageDirection.INBOUND,
        )
        .correlate(Conversation)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Message.id,
            Conversation.id,
            Conversation.external_id,
            Conversation.contact_external_id,
            Message.content,
            last_inbound,
            Message.content_type,
            Message.template,
            Message.reply_to_external_id,
            Message.send_at,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.organization_id == organization_id,
            Message.organization_id == organization_id,
            Conversation.platform_connection_id == connection_id,
            Message.direction == MessageDirection.OUTBOUND,
            Message.status == MessageStatus.PENDING,
            Message.send_started_at.is_(None),
            due(now),
        )
        .order_by(Message.created_at, Message.id)
        .limit(limit)
    ).all()
    return [
        OutgoingReply(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4] or "",
            r[5],
            r[6],
            TemplateToSend.from_json(r[7]) if r[7] else None,
            r[8],
            r[9],
        )
        for r in rows
    ]


def claim(session: Session, organization_id: str, message_id: str) -> bool:
    """Mark the attempt as begun; False if another app already began it."""
    claimed = session.execute(
        update(Message)
        .where(
            Message.organization_id == organization_id,
            Message.id == message_id,
            Message.status == MessageStatus.PENDING,
            Message.send_started_at.is_(None),
        )
        .values(send_started_at=func.now())
        .returning(Message.id)
    ).scalar_one_or_none()
    return claimed is not None


def mark_sent(session: Session, organization_id: str, message_id: str, external_id: str) -> None:
    session.execute(
        update(Message)
        .where(
            Message.organization_id == organization_id,
            Message.id == message_id,
            Message.status == MessageStatus.PENDING,
        )
        .values(status=MessageStatus.SENT, external_id=external_id, failure_reason=None)
    )


def mark_failed(session: Session, organization_id: str, message_id: str, reason: str) -> None:
    session.execute(
        update(Message)
        .where(
            Message.organization_id == organization_id,
            Message.id == message_id,
            Message.status == MessageStatus.PENDING,
        )
        .values(status=MessageStatus.FAILED, failure_reason=reason)
    )


def release(session: Session, organization_id: str, message_id: str) -> None:
    """A temporary failure: the reply goes back in line (nothing reached the customer)."""
    session.execute(
        update(Message)
        .where(
            Message.organization_id == organization_id,
            Message.id == message_id,
            Message.status == MessageStatus.PENDING,
        )
        .values(send_started_at=None)
    )


def settle_unknown_outcomes(
    session: Session, organization_id: str, connection_id: str, older_than_seconds: int
) -> list[str]:
    """Replies whose attempt began long ago and never finished: an app died mid-send.

    Called only by the app holding the connection's lock, so none of these is
    still in flight elsewhere.  Returns their conversation ids.
    """
    rows = session.execute(
        text("""
            UPDATE messages m SET status = 'FAILED', failure_reason = :reason
            FROM conversations c
            WHERE c.id = m.conversation_id AND c.platform_connection_id = :connection
              AND m.organization_id = :org AND c.organization_id = :org
              AND m.status = 'PENDING' AND m.send_started_at IS NOT NULL
              AND m.send_started_at < now() - make_interval(secs => :age)
            RETURNING m.conversation_id
        """),
        {
            "reason": UNKNOWN_OUTCOME,
            "org": organization_id,
            "connection": connection_id,
            "age": older_than_seconds,
        },
    ).all()
    return [row[0] for row in rows]


def read_receipt(
    session: Session, organization_id: str, conversation_id: str
) -> ReadReceipt | None:
    """What to tell the platform once a person has read a conversation."""
    newest = (
        select(Message.external_id)
        .where(
            Message.conversation_id == Conversation.id,
            Message.direction == MessageDirection.INBOUND,
            Message.external_id.isnot(None),
        )
        .order_by(func.coalesce(Message.platform_timestamp, Message.created_at).desc())
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            Conversation.platform_connection_id,
            Conversation.external_id,
            Conversation.contact_external_id,
            newest,
        ).where(Conversation.organization_id == organization_id, Conversation.id == conversation_id)
    ).one_or_none()
    if row is None or row[3] is None:
        return None
    return ReadReceipt(
        connection_id=row[0], conversation_id=row[1], contact_id=row[2], message_id=row[3]
    )


def mark_connection(
    session: Session, connection_id: str, status: ConnectionStatus, error: str | None
) -> None:
    """The connection's new state (found expired, or its token unreadable); when
    that is news, every app of the team hears it (its windows show it live)."""
    changed = session.execute(
        update(PlatformConnection)
        .where(
            PlatformConnection.id == connection_id,
            or_(
                PlatformConnection.status.is_distinct_from(status),
                PlatformConnection.error_message.is_distinct_from(error),
            ),
        )
        .values(status=status, error_message=error)
        .returning(PlatformConnection.organization_id)
    ).scalar_one_or_none()
    if changed is not None:
        # No origin: the app whose sync found it hears it too (nothing else tells it).
        notify_changes(session, changed, Changes(connections=True), origin="")


def count_unsent(session: Session, organization_id: str, sender_id: str) -> int:
    """This member's replies that no platform has taken yet (not those scheduled
    for later: they wait in the team database, whichever app is open)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.organization_id == organization_id,
                Message.direction == MessageDirection.OUTBOUND,
                Message.status == MessageStatus.PENDING,
                Message.sent_by_user_id == sender_id,
                Message.send_at.is_(None),  # a scheduled reply waits in the team database
            )
        )
        or 0
    )
