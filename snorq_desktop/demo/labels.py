"""The demo shop's labels, internal notes and quick replies, so `--demo` shows
them from the start."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from snorq_desktop.store import labels, quick_replies
from snorq_desktop.store.inbox import ACTIVITY
from snorq_desktop.store.models import Conversation, Note

DEMO_LABELS = (
    ("VIP", "#f59e0b", (0, 4, 9, 17)),
    ("Wholesale", "#14b8a6", (2, 9, 21)),
    ("Refund", "#ef4444", (3, 12)),
    ("Custom order", "#a855f7", (1, 6, 9, 14, 25)),
)
DEMO_NOTES = (
    (0, 0, "Regular customer since 2023: always free gift wrapping."),
    (3, 1, "Refund approved by Maya, waiting for the parcel to come back."),
    (9, 0, "Wants 40 pieces for her shop: quote sent by email, follow up Friday."),
)

# The answers a handmade shop gives every day, typed in the reply box as /shortcut.
DEMO_QUICK_REPLIES = (
    ("price", "Hi {first_name}! Our rings start at 25 € and necklaces at 35 €; engraving is 5 €."),
    ("shipping", "Orders ship within 2 working days, tracked: 3-5 days in the EU, {first_name}."),
    ("thanks", "Thank you so much {first_name}! Send us a photo when it arrives 💛"),
)


def seed_quick_replies(session: Session, organization_id: str, writer: str) -> None:
    for shortcut, text in DEMO_QUICK_REPLIES:
        quick_replies.add_quick_reply(session, organization_id, shortcut, text, writer)


def seed_labels_and_notes(
    session: Session, organization_id: str, writers: tuple[str, str], now: datetime
) -> None:
    """Labels on some of the newest conversations (by their place in the inbox),
    and a few notes from the team."""
    newest = list(
        session.execute(
            select(Conversation.id, ACTIVITY)
            .where(Conversation.organization_id == organization_id)
            .order_by(ACTIVITY.desc(), Conversation.id.desc())
        ).all()
    )
    for name, colour, places in DEMO_LABELS:
        label_id = labels.create_label(session, organization_id, name, colour)
        chosen = [newest[p][0] for p in places if p < len(newest)]
        labels.apply_label(session, organization_id, label_id, chosen)
    for place, writer, content in DEMO_NOTES:
        if place < len(newest):
            conversation_id, activity = newest[place]
            session.add(
                Note(
                    organization_id=organization_id,
                    conversation_id=conversation_id,
                    author_id=writers[writer],
                    content=content,
                    created_at=min(activity - timedelta(minutes=3), now),
                )
            )
    session.flush()
