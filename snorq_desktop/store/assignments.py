"""Who's on it (#17.2): giving a conversation to a teammate, taking it, the
"Mine" and "Unassigned" views and their counts.

The database holds the rules (migration 0023_assignments): the assignee is a
member of the conversation's organisation (a foreign key to the members), any
member may assign (the conversations' policy), and a member who leaves hands
their conversations back to Unassigned.  The counts come from
``assignment_count_changes``, kept by a trigger as conversations change and
folded here when read: a few rows, however many conversations there are.
"""

from typing import Any

from sqlalchemy import ColumnElement, and_, cast, select, text, update
from sqlalchemy import Text as TextType
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from snorq_desktop.domain.assignments import NOT_A_MEMBER, Teammate
from snorq_desktop.domain.enums import ConversationStatus
from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.inbox import InboxView
from snorq_desktop.store.compiled_reads import Reads, fetch
from snorq_desktop.store.models import Conversation, OrganizationMember, User

_MEMBER_KEY = "conversations_assignee_member_fkey"


def assignment_filter(view: InboxView, me: Any) -> ColumnElement[bool]:
    """Mine (``me``: the person's id, or a bind parameter standing for it) and
    Unassigned: open conversations only, the ones someone must answer."""
    # "Not closed, not archived" rather than "= OPEN": PostgreSQL has no
    # statistics for the status as text (store/inbox.py's _is says why it is
    # compared as text), guesses "= OPEN" matches 1 row in 200 and then sorts
    # the whole view instead of reading its first 100 rows in order (10x slower).
    status = cast(Conversation.status, TextType)
    is_open = and_(
        status != ConversationStatus.CLOSED.value, status != ConversationStatus.ARCHIVED.value
    )
    if view is InboxView.MINE:
        return and_(Conversation.assignee_user_id == me, is_open)
    return and_(Conversation.assignee_user_id.is_(None), is_open)


def assign(
    session: Session, organization_id: str, conversation_id: str, assignee_id: str | None
) -> bool:
    """Give the conversation to ``assignee_id`` (None: Unassigned); True if that
    changed who is on it.  Someone outside the organisation is refused by the
    database, with the sentence the person sees."""
    try:
        with session.begin_nested():
            result = session.execute(
                update(Conversation)
                .where(
                    Conversation.organization_id == organization_id,
                    Conversation.id == conversation_id,
                    Conversation.assignee_user_id.is_distinct_from(assignee_id),
                )
                .values(assignee_user_id=assignee_id)
            )
    except IntegrityError as error:
        if _MEMBER_KEY in str(error.orig) or "assignee_user_id_fkey" in str(error.orig):
            raise NotFound(NOT_A_MEMBER) from None
        raise
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    exists = session.execute(
        select(Conversation.id).where(
            Conversation.organization_id == organization_id, Conversation.id == conversation_id
        )
    ).first()
    if exists is None:
        raise NotFound("That conversation no longer exists.")
    return False


def take_if_unassigned(
    session: Session, organization_id: str, conversation_id: str, user_id: str
) -> bool:
    """Replying to an unassigned conversation takes it (True: taken now)."""
    result = session.execute(
        update(Conversation)
        .where(
            Conversation.organization_id == organization_id,
            Conversation.id == conversation_id,
            Conversation.assignee_user_id.is_(None),
        )
        .values(assignee_user_id=user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def assignee_of(session: Session, organization_id: str, conversation_id: str) -> str | None:
    return session.execute(
        select(Conversation.assignee_user_id).where(
            Conversation.organization_id == organization_id, Conversation.id == conversation_id
        )
    ).scalar_one_or_none()


def teammates(session: Session, organization_id: str) -> list[Teammate]:
    """Who a conversation can be given to: the organisation's members."""
    rows = session.execute(
        select(User.id, User.name, User.email, User.avatar_url)
        .join(OrganizationMember, OrganizationMember.user_id == User.id)
        .where(OrganizationMember.organization_id == organization_id)
        .order_by(OrganizationMember.joined_at, User.email)
    ).all()
    return [Teammate(r[0], r[1] or r[2], r[3]) for r in rows]


_COUNTS = """
SELECT assignee_user_id, sum(conversations)::int, count(*)::int
FROM assignment_count_changes WHERE organization_id = :org GROUP BY assignee_user_id
"""
# Past this many changes, reading folds them into one row per assignee (as
# inbox_counts does), dropping the people whose rows sum to nought.
FOLD_AFTER = 64
_FOLD = """
WITH folded AS (
    DELETE FROM assignment_count_changes WHERE organization_id = :org
    RETURNING assignee_user_id, conversations
)
INSERT INTO assignment_count_changes (organization_id, assignee_user_id, conversations)
SELECT :org, assignee_user_id, sum(conversations) FROM folded
GROUP BY assignee_user_id HAVING sum(conversations) <> 0
"""


def assignment_counts(session: Reads, organization_id: str) -> dict[str, int]:
    """Open conversations per assignee ("" for Unassigned), from the kept counts."""
    values = {"org": organization_id}
    rows = fetch(session, ("assignment counts",), lambda: text(_COUNTS), values)
    if sum(row[2] for row in rows) > FOLD_AFTER:
        fetch(session, ("fold assignment counts",), lambda: text(_FOLD), values)
    return {row[0] or "": row[1] for row in rows if row[1]}


# The snoozed open ones per assignee, through the partial index of the few
# snoozed: they are out of Mine and Unassigned until they wake, like the views.
_SNOOZED_BY_ASSIGNEE = """
SELECT assignee_user_id, count(*)::int FROM conversations
WHERE organization_id = :org AND snoozed_until IS NOT NULL AND snoozed_until > now()
  AND status = 'OPEN'
GROUP BY assignee_user_id
"""


def view_counts(session: Reads, organization_id: str, me: str | None) -> dict[InboxView, int]:
    """The sidebar's Mine and Unassigned, as their lists show them (the snoozed
    left out)."""
    counts = assignment_counts(session, organization_id)
    values = {"org": organization_id}
    for assignee, snoozed in fetch(
        session, ("snoozed by assignee",), lambda: text(_SNOOZED_BY_ASSIGNEE), values
    ):
        key = assignee or ""
        counts[key] = max(0, counts.get(key, 0) - snoozed)
    return {
        InboxView.MINE: counts.get(me, 0) if me else 0,
        InboxView.UNASSIGNED: counts.get("", 0),
    }
