"""The FREE plan's 30-day message history: what is past it, and removing it.

The boundary is the database server's ``now()`` minus 30 days, never a
computer's clock: a team's apps disagree about the time, the server is one.
A message's age is when it was *said* (the platform's timestamp, else when it
was stored), the time the thread shows it at.

Removal is in small batches, each its own short transaction (``DELETE`` of at
most ``batch`` rows picked with ``FOR UPDATE SKIP LOCKED``), so the locks a
purge holds last one batch, and two purges that meet never delete a row
twice nor wait on each other.

Every copy of the content goes: the messages; a conversation's preview when
none of its messages is left (the conversation itself stays, with its
contact, status, labels and notes: the customer is not history, what was said
is); and stored webhook bodies, processed and received before the boundary
(the relay's copy of what the platforms sent; kept for no plan once stored).
Days already counted in daily_analytics stay: they hold no content.
"""

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.plans import PLAN_LIMITS
from snorq_desktop.domain.retention import RetentionNotice

FREE_HISTORY = timedelta(days=PLAN_LIMITS[PlanType.FREE].history_days or 30)
# Between the first warning and the first purge.
WARNING_PERIOD = timedelta(days=7)
PURGE_EVERY = timedelta(days=1)

_SAID = "COALESCE(platform_timestamp, created_at)"


def history_boundary(session: Session) -> datetime:
    """Messages said before this are past a FREE organisation's history."""
    value = session.execute(text("SELECT now() - :keep"), {"keep": FREE_HISTORY}).scalar_one()
    assert isinstance(value, datetime)
    return value


def messages_past_boundary(
    session: Session, organization_id: str, boundary: datetime | None = None
) -> int:
    """How many messages a purge would remove now (whatever the plan)."""
    return int(
        session.execute(
            text(
                f"SELECT count(*) FROM messages WHERE organization_id = :org "  # noqa: S608
                f"AND {_SAID} < COALESCE(:boundary, now() - :keep)"
            ),
            {"org": organization_id, "boundary": boundary, "keep": FREE_HISTORY},
        ).scalar_one()
    )


_PURGE_BATCH = f"""
WITH doomed AS (
    SELECT id FROM messages
    WHERE organization_id = :org AND {_SAID} < :boundary
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
DELETE FROM messages m USING doomed WHERE m.id = doomed.id
RETURNING m.conversation_id
"""  # noqa: S608

# What the inbox shows of a conversation must not outlive its messages: no
# preview once none is left, and never more unread than customer messages left.
# Only conversations that must change are locked (usually none: a purge takes
# old messages from conversations that still have newer ones), in id order, and
# their new values are computed by a later statement, which sees whatever a
# writer committed before the lock was granted.
_LOCK_CONVERSATIONS_TO_SETTLE = """
SELECT c.id FROM conversations c
WHERE c.id = ANY(:ids)
  AND (
      ((c.last_message_preview IS NOT NULL OR c.unread_count > 0)
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id))
      OR (c.unread_count > 0 AND c.unread_count > (
          SELECT count(*) FROM (
              SELECT 1 FROM messages m
              WHERE m.conversation_id = c.id AND m.direction = 'INBOUND'
              LIMIT c.unread_count
          ) still_there))
  )
ORDER BY c.id
FOR UPDATE
"""

_SETTLE_CONVERSATIONS = """
UPDATE conversations c SET
    last_message_preview = CASE
        WHEN EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
        THEN c.last_message_preview END,
    unread_count = (
        SELECT count(*) FROM (
            SELECT 1 FROM messages m
            WHERE m.conversation_id = c.id AND m.direction = 'INBOUND'
            LIMIT c.unread_count
        ) still_there
    )
WHERE c.id = ANY(:ids)
"""


def purge_batch(session: Session, organization_id: str, boundary: datetime, batch: int) -> int:
    """Remove up to ``batch`` messages said before ``boundary``; the caller commits."""
    touched = [
        row[0]
        for row in session.execute(
            text(_PURGE_BATCH), {"org": organization_id, "boundary": boundary, "batch": batch}
        )
    ]
    if touched:
        settle = [
            row[0]
            for row in session.execute(
                text(_LOCK_CONVERSATIONS_TO_SETTLE), {"ids": sorted(set(touched))}
            )
        ]
        if settle:
            session.execute(text(_SETTLE_CONVERSATIONS), {"ids": settle})
    return len(touched)


def purge_webhook_bodies(session: Session, boundary: datetime, batch: int) -> int:
    """Remove up to ``batch`` processed webhook events received before ``boundary``."""
    return len(
        session.execute(
            text(
                """
                DELETE FROM webhook_events WHERE id IN (
                    SELECT id FROM webhook_events
                    WHERE processed_at IS NOT NULL AND received_at < :boundary
                    LIMIT :batch FOR UPDATE SKIP LOCKED)
                RETURNING id
                """
            ),
            {"boundary": boundary, "batch": batch},
        ).all()
    )


def retention_notice(session: Session, organization_id: str) -> RetentionNotice | None:
    """None unless the organisation is FREE and has messages past the boundary."""
    row = session.execute(
        text(
            "SELECT o.plan::text, r.warned_at, r.last_purge_at FROM organizations o "
            "LEFT JOIN history_retention r ON r.organization_id = o.id WHERE o.id = :org"
        ),
        {"org": organization_id},
    ).one_or_none()
    if row is None or row[0] != PlanType.FREE.value:
        return None
    past = messages_past_boundary(session, organization_id)
    if past == 0:
        return None
    purge_from = row[1] + WARNING_PERIOD if row[1] is not None else None
    return RetentionNotice(past, purge_from, row[2] is not None)


def organizations_due(session: Session, warning_period: timedelta = WARNING_PERIOD) -> list[str]:
    """FREE organisations whose purge is due now; the caller commits.

    Keeps the warnings in step on the way: a FREE organisation with messages past
    the boundary is warned (``warned_at``) the first time it is seen, and purged
    only once the warning is ``warning_period`` old, then at most daily.  An
    organisation that leaves FREE loses its warning, so moving back warns again.
    An organisation whose licence has ended is FREE from here on (its plan
    column follows, migration 0016), so it is warned like any other.
    """
    session.execute(text("SELECT snorq_lapse_licence(id) FROM organizations WHERE plan <> 'FREE'"))
    session.execute(
        text(
            "UPDATE history_retention r SET warned_at = NULL FROM organizations o "
            "WHERE o.id = r.organization_id AND o.plan <> 'FREE' AND r.warned_at IS NOT NULL"
        )
    )
    session.execute(
        text(
            """
            INSERT INTO history_retention (id, organization_id, warned_at)
            SELECT 'c' || replace(gen_random_uuid()::text, '-', ''), o.id, now()
            FROM organizations o
            WHERE o.plan = 'FREE' AND EXISTS (
                SELECT 1 FROM messages m
                WHERE m.organization_id = o.id
                  AND COALESCE(m.platform_timestamp, m.created_at) < now() - :keep)
            ON CONFLICT (organization_id) DO UPDATE SET warned_at = now()
            WHERE history_retention.warned_at IS NULL
            """
        ),
        {"keep": FREE_HISTORY},
    )
    rows = session.execute(
        text(
            """
            SELECT o.id FROM organizations o JOIN history_retention r ON r.organization_id = o.id
            WHERE o.plan = 'FREE' AND r.warned_at <= now() - :warning
              AND (r.last_purge_at IS NULL OR r.last_purge_at <= now() - :every)
            ORDER BY o.id
            """
        ),
        {"warning": warning_period, "every": PURGE_EVERY},
    ).all()
    return [row[0] for row in rows]


def record_purge(session: Session, organization_id: str, messages: int) -> None:
    session.execute(
        text(
            "UPDATE history_retention SET last_purge_at = now(), last_purge_messages = :n "
            "WHERE organization_id = :org"
        ),
        {"org": organization_id, "n": messages},
    )
