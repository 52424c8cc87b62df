"""The demo's snoozed conversation (#17.3): one customer waits for tomorrow
morning, so the Snoozed view has something to show."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from snorq_desktop.domain.snooze import SnoozeChoice, wake_time
from snorq_desktop.store.models import Conversation

SNOOZED_CONTACT = "Olu Adeyemi"


def seed_snoozed(session: Session, org: str, now: datetime) -> None:
    session.execute(
        update(Conversation)
        .where(Conversation.organization_id == org, Conversation.contact_name == SNOOZED_CONTACT)
        .values(snoozed_until=wake_time(SnoozeChoice.TOMORROW, now))
    )
