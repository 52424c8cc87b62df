"""The demo shop's business hours (#17.6): a Lisbon shop open on weekdays and
Saturday mornings, with its away message and greeting on, and one away message
already in a thread, so `--demo` shows both the dialog and the caption."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from snorq_desktop.domain.business_hours import (
    AutomaticKind,
    BusinessHours,
    OpenHours,
    closed_since,
)
from snorq_desktop.domain.enums import MessageDirection, MessageStatus
from snorq_desktop.store.automatic_models import AutomaticReplyRow
from snorq_desktop.store.automatic_replies import save_business_hours
from snorq_desktop.store.models import Conversation, Message

_WEEKDAY = OpenHours.parse("09:00", "18:00")
DEMO_HOURS = BusinessHours(
    "Europe/Lisbon",
    (_WEEKDAY,) * 5 + (OpenHours.parse("10:00", "14:00"), None),
    away_on=True,
    away_text="Thanks for your message! Our workshop is closed right now; we answer "
    "Monday to Friday 9:00-18:00 and Saturday 10:00-14:00 (Lisbon time).",
    greeting_on=True,
    greeting_text="Hi, and welcome to Maya's Handmade! Everything here is handmade; "
    "tell us what you are looking for.",
)


def seed_business_hours(session: Session, organization_id: str, owner: str) -> None:
    save_business_hours(session, organization_id, DEMO_HOURS, owner)
    _seed_one_away_message(session, organization_id)


def _seed_one_away_message(session: Session, organization_id: str) -> None:
    """The away message as the rules would have sent it, under the newest customer
    message written while the shop was closed (not the last of its thread, so the
    inbox rows read as before)."""
    rows = session.execute(
        select(Message.conversation_id, Message.platform_timestamp)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.organization_id == organization_id,
            Message.direction == MessageDirection.INBOUND,
            Message.platform_timestamp < Conversation.last_message_at,
        )
        .order_by(Message.platform_timestamp.desc())
    ).all()
    for conversation, written in rows:
        since = closed_since(DEMO_HOURS, written) if written is not None else None
        if written is None or since is None:
            continue
        at = written + timedelta(seconds=20)
        message = Message(
            organization_id=organization_id,
            conversation_id=conversation,
            direction=MessageDirection.OUTBOUND,
            content=DEMO_HOURS.away_text,
            status=MessageStatus.READ,
            external_id=f"{conversation}-away",
            platform_timestamp=at,
            created_at=at,
        )
        session.add(message)
        session.flush()
        session.add(
            AutomaticReplyRow(
                organization_id=organization_id,
                conversation_id=conversation,
                kind=AutomaticKind.AWAY.value,
                period_start=since,
                message_id=message.id,
            )
        )
        return
