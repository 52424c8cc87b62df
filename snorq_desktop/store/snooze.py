"""Snooze in the team database (#17.3, migration 0028).

A conversation is hidden while ``snoozed_until > now()``: the views compare
with the database's clock, so it shows again at its time in every app of the
team at once, even if none of them was running then.  What showing again
also means -- unread, the time cleared -- is written by :func:`wake_due`, run
by each app when the earliest snooze falls due (and at start): the first to
run it wakes the rows, the others find nothing left to wake (its WHERE is
checked again on the locked row), so a conversation wakes once.  A customer's
message wakes it at once: the ingest's UPDATE clears the time itself.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, text, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ConversationStatus, Platform
from snorq_desktop.domain.errors import NotFound
from snorq_desktop.store.compiled_reads import Reads, fetch
from snorq_desktop.store.models import Conversation


def is_snoozed() -> ColumnElement[bool]:
    return Conversation.snoozed_until > func.now()


def is_awake() -> ColumnElement[bool]:
    return or_(Conversation.snoozed_until.is_(None), Conversation.snoozed_until <= func.now())


def snooze(
    session: Session, organization_id: str, conversation_ids: Sequence[str], until: datetime | None
) -> None:
    """Hide them until ``until`` (None: show them again now, as they are)."""
    result = session.execute(
        update(Conversation)
        .where(
            Conversation.organization_id == organization_id,
            Conversation.id.in_(list(conversation_ids)),
        )
        .values(snoozed_until=until)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound("That conversation no longer exists.")


def wake_due(session: Session, organization_id: str) -> frozenset[str]:
    """The organisation's conversations whose time has come, made unread and
    shown again; their ids (none when another app woke them first)."""
    rows = session.execute(
        update(Conversation)
        .where(
            Conversation.organization_id == organization_id,
            Conversation.snoozed_until <= func.now(),
        )
        .values(snoozed_until=None, unread_count=func.greatest(Conversation.unread_count, 1))
        .returning(Conversation.id)
    )
    return frozenset(rows.scalars())


# Read through the partial index of the few snoozed: per (platform, status), the
# hidden ones and their unread, and the earliest time, due or not.
_SNOOZED = """
SELECT platform::text, status::text,
       count(*) FILTER (WHERE snoozed_until > now())::int,
       count(*) FILTER (WHERE snoozed_until > now() AND unread_count > 0)::int,
       min(snoozed_until)
FROM conversations WHERE organization_id = :org AND snoozed_until IS NOT NULL
GROUP BY platform, status
"""


def snoozed_counts(
    session: Reads, organization_id: str
) -> list[tuple[Platform, ConversationStatus, int, int, datetime]]:
    rows: list[Any] = fetch(session, ("snoozed",), lambda: text(_SNOOZED), {"org": organization_id})
    return [(Platform(r[0]), ConversationStatus(r[1]), r[2], r[3], r[4]) for r in rows]


def snoozed_until(session: Session, organization_id: str, conversation_id: str) -> datetime | None:
    return session.execute(
        select(Conversation.snoozed_until).where(
            Conversation.organization_id == organization_id,
            Conversation.id == conversation_id,
            is_snoozed(),
        )
    ).scalar_one_or_none()
