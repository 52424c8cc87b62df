"""The demo shop's assignments (#17.2): a few conversations are Maya's (Mine,
as the demo opens as her), a few are Leo's, the rest wait Unassigned."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ConversationStatus
from snorq_desktop.store import assignments
from snorq_desktop.store.inbox import ACTIVITY
from snorq_desktop.store.models import Conversation

# Places in the inbox (newest first) of open conversations given to each.
DEMO_ASSIGNMENTS = ((0, (1, 6)), (1, (2, 8)))  # (writer: 0 Maya, 1 Leo; places)


def seed_assignments(session: Session, organization_id: str, team: tuple[str, str]) -> None:
    newest = list(
        session.execute(
            select(Conversation.id)
            .where(
                Conversation.organization_id == organization_id,
                Conversation.status == ConversationStatus.OPEN,
            )
            .order_by(ACTIVITY.desc(), Conversation.id.desc())
        ).scalars()
    )
    for who, places in DEMO_ASSIGNMENTS:
        for place in places:
            if place < len(newest):
                assignments.assign(session, organization_id, newest[place], team[who])
