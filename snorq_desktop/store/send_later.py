"""Send later (#17.4): a reply stored PENDING with the time it is due
(``messages.send_at``, migration 0022), and taken back before it goes."""

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.send_later import CannotSchedule, scheduling_refusal
from snorq_desktop.store.conversation_actions import add_reply
from snorq_desktop.store.models import Message
from snorq_desktop.store.reply_windows import reply_clock


def schedule_reply(
    session: Session,
    *,
    organization_id: str,
    conversation_id: str,
    message_id: str,
    sender_id: str,
    text: str,
    when: datetime,
    reply_to: str | None = None,
) -> None:
    """Store the reply to go at ``when``; refused, writing nothing, when the time
    is past or too far, or the platform's reply window is closed by then."""
    now = session.execute(select(func.now())).scalar_one()
    if reason := scheduling_refusal(when, now):
        raise CannotSchedule(reason)
    clock = reply_clock(session, organization_id, conversation_id)
    if clock is None:
        raise NotFound("That conversation no longer exists.")
    if refusal := clock.refusal_at(when):
        raise CannotSchedule(refusal, template_instead=clock.platform is Platform.WHATSAPP)
    add_reply(
        session,
        organization_id=organization_id,
        conversation_id=conversation_id,
        message_id=message_id,
        sender_id=sender_id,
        text=text,
        reply_to=reply_to,
    )
    session.execute(
        update(Message)
        .where(Message.organization_id == organization_id, Message.id == message_id)
        .values(send_at=when)
    )


def cancel_scheduled(session: Session, organization_id: str, message_id: str) -> tuple[str, str]:
    """Take back a scheduled reply no app has begun sending: (its conversation, its
    text).  Too late (sent, being sent, or cancelled by a teammate): NotFound."""
    row = session.execute(
        delete(Message)
        .where(
            Message.organization_id == organization_id,
            Message.id == message_id,
            Message.direction == MessageDirection.OUTBOUND,
            Message.status == MessageStatus.PENDING,
            Message.send_started_at.is_(None),
            Message.send_at.isnot(None),
        )
        .returning(Message.conversation_id, Message.content)
    ).one_or_none()
    if row is None:
        raise NotFound("Too late to cancel: this reply was already sent, or cancelled.")
    return row[0], row[1] or ""
