"""Business hours and the automatic answers queued from them (migration 0027).

Every statement names the organisation.  Changing the hours is an OWNER's or
ADMIN's (the policies refuse anyone else; the sentence is said before the
database has to).  Queuing an answer is the connection's lease holder's, and
the database keeps it to once: the key (conversation, kind, period) and the
message are written in one transaction, the key with ON CONFLICT DO NOTHING,
so a second app, or a rerun after a crash, finds the key taken and writes
nothing.
"""

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from snorq_desktop.domain.business_hours import (
    ANSWER_WITHIN,
    AutomaticReply,
    BusinessHours,
    CustomerMessage,
    automatic_replies,
)
from snorq_desktop.domain.enums import MemberRole, MessageDirection, MessageStatus
from snorq_desktop.domain.errors import PermissionDenied
from snorq_desktop.domain.ids import new_id
from snorq_desktop.store.automatic_models import AutomaticReplyRow, BusinessHoursRow
from snorq_desktop.store.models import Message, OrganizationMember

ONLY_MANAGERS = "Only an owner or an admin can change the business hours and automatic messages."


def read_business_hours(session: Session, organization_id: str) -> BusinessHours | None:
    row = session.scalars(
        select(BusinessHoursRow).where(BusinessHoursRow.organization_id == organization_id)
    ).one_or_none()
    if row is None:
        return None
    return BusinessHours(
        row.time_zone,
        BusinessHours.week_from_json(row.week),
        away_on=row.away_on,
        away_text=row.away_text,
        greeting_on=row.greeting_on,
        greeting_text=row.greeting_text,
    )


def may_change(session: Session, organization_id: str, user_id: str) -> bool:
    """An owner or admin of the organisation (what the policies allow too)."""
    role = session.scalar(
        select(OrganizationMember.role).where(
            OrganizationMember.organization_id == organization_id,
            OrganizationMember.user_id == user_id,
        )
    )
    return role in (MemberRole.OWNER, MemberRole.ADMIN)


def save_business_hours(
    session: Session, organization_id: str, hours: BusinessHours, user_id: str
) -> None:
    """The organisation's hours and messages, replacing what was there."""
    if not may_change(session, organization_id, user_id):
        raise PermissionDenied(ONLY_MANAGERS)
    values = {
        "time_zone": hours.time_zone,
        "week": hours.week_json(),
        "away_on": hours.away_on,
        "away_text": hours.away_text.strip(),
        "greeting_on": hours.greeting_on,
        "greeting_text": hours.greeting_text.strip(),
        "updated_by": user_id,
    }
    session.execute(
        pg_insert(BusinessHoursRow)
        .values(organization_id=organization_id, **values)
        .on_conflict_do_update(
            index_elements=[BusinessHoursRow.organization_id],
            set_=values | {"updated_at": func.now()},
        )
    )


# The connection's conversations a customer wrote to lately, each with its
# newest customer message, how it began and whether a person answered since
# (our own automatic answers do not count as one).
_RECENT = text("""
SELECT c.id, newest.at, first.at, first.direction = 'INBOUND',
       EXISTS (SELECT 1 FROM messages r
                WHERE r.organization_id = :org AND r.conversation_id = c.id
                  AND r.direction = 'OUTBOUND'
                  AND COALESCE(r.platform_timestamp, r.created_at) >= newest.at
                  AND NOT EXISTS (SELECT 1 FROM automatic_replies a
                                   WHERE a.organization_id = :org AND a.message_id = r.id))
  FROM conversations c
 CROSS JOIN LATERAL (
       SELECT max(COALESCE(m.platform_timestamp, m.created_at)) AS at FROM messages m
        WHERE m.organization_id = :org AND m.conversation_id = c.id
          AND m.direction = 'INBOUND' AND m.deleted_at IS NULL) newest
 CROSS JOIN LATERAL (
       SELECT COALESCE(m.platform_timestamp, m.created_at) AS at, m.direction FROM messages m
        WHERE m.organization_id = :org AND m.conversation_id = c.id
        ORDER BY COALESCE(m.platform_timestamp, m.created_at), m.id LIMIT 1) first
 WHERE c.organization_id = :org AND c.platform_connection_id = :connection
   AND c.last_message_at >= :since AND newest.at >= :since
""")


def recent_customer_messages(
    session: Session, organization_id: str, connection_id: str, since: datetime
) -> list[CustomerMessage]:
    rows = session.execute(
        _RECENT, {"org": organization_id, "connection": connection_id, "since": since}
    )
    return [CustomerMessage(r[0], r[1], r[2], bool(r[3]), bool(r[4])) for r in rows]


def queue_automatic_replies(
    session: Session, organization_id: str, connection_id: str, now: datetime
) -> set[str]:
    """Queue in the outbox what the hours say for the connection's recent customer
    messages; the conversations given a new automatic answer."""
    hours = read_business_hours(session, organization_id)
    if hours is None or not (hours.away_on or hours.greeting_on):
        return set()
    answered: set[str] = set()
    for message in recent_customer_messages(
        session, organization_id, connection_id, now - ANSWER_WITHIN
    ):
        for reply in automatic_replies(hours, message, now):
            if _queue_once(session, organization_id, reply):
                answered.add(reply.conversation_id)
    return answered


def _queue_once(session: Session, organization_id: str, reply: AutomaticReply) -> bool:
    """The message and its key, or neither when the key is taken (another app,
    an earlier pass): the message goes in a savepoint undone then."""
    message_id = new_id()
    savepoint = session.begin_nested()
    session.add(
        Message(
            id=message_id,
            organization_id=organization_id,
            conversation_id=reply.conversation_id,
            direction=MessageDirection.OUTBOUND,
            content=reply.text,
            status=MessageStatus.PENDING,
            sent_by_user_id=None,
            # the statement's own clock: a greeting and an away message keep their order
            created_at=func.clock_timestamp(),
        )
    )
    session.flush()
    kept = session.execute(
        pg_insert(AutomaticReplyRow)
        .values(
            id=new_id(),
            organization_id=organization_id,
            conversation_id=reply.conversation_id,
            kind=reply.kind.value,
            period_start=reply.period,
            message_id=message_id,
        )
        .on_conflict_do_nothing(
            index_elements=["organization_id", "conversation_id", "kind", "period_start"]
        )
        .returning(AutomaticReplyRow.id)
    ).scalar_one_or_none()
    if kept is None:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True
