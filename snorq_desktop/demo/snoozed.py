"""The demo's snoozed conversation (#17.3): the oldest one (no label, no note)
waits for tomorrow morning, so the Snoozed view has something to show."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.snooze import SnoozeChoice, wake_time
from snorq_desktop.store.models import Conversation


def seed_snoozed(session: Session, org: str, now: datetime) -> None:
    oldest = (
        select(Conversation.id)
        .where(Conversation.organization_id == org)
        .order_by(Conversation.last_message_at, Conversation.id)
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        update(Conversation)
        .where(Conversation.organization_id == org, Conversation.id == oldest)
        .values(snoozed_until=wake_time(SnoozeChoice.TOMORROW, now))
    )
