"""The daily analytics rollup, and the dashboard's read of it.

Incremental and idempotent.  A trigger on ``messages`` notes, in the writer's
own transaction, which conversation changed and over which span of time
(``analytics_pending``).  The rollup takes those notes (``DELETE … RETURNING``:
a note committed while it runs stays for the next one), turns them into the
(conversation, day) pairs they can affect, *recomputes those pairs whole* from
the conversation's messages (``conversation_day_analytics``, migration 0029),
and re-sums each touched day from its pairs' rows, replacing what was stored.
A day's figures are the sum of its conversations' figures, and one
conversation's depend on its own messages alone, so a rollup reads what
changed and the day's few hundred stored rows, not the day's messages.
Running it twice computes the same rows; a message arriving late marks its
own conversation's day, so that pair is recomputed, never incremented.

A change can move figures of a later day than its own: a customer message
inserted before a reply changes that reply's response time.  So a note marks
its conversation's every day from its first message's day to the day of the
conversation's next reply after its last message.

Definitions of the figures: ``domain/analytics.py``.  Days are UTC days.

One rollup at a time per database (a transaction-level advisory lock); a
second app that finds it taken skips its turn, since the first one computes
the same thing.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.analytics import Dashboard, DateRange, DayFigures
from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.plans import PLAN_LIMITS
from snorq_desktop.store.records_models import DailyPlatformAnalytics

ROLLUP_LOCK = "snorq-analytics-rollup"
# From this many days on (a full rollup, a long outage), reading each touched
# conversation's whole thread in order once beats reading its days one by one
# with the probes before each.
WHOLE_THREADS_FROM_DAYS = 10
_SAID = "COALESCE({t}.platform_timestamp, {t}.created_at)"
_NEW_ID = "'c' || replace(gen_random_uuid()::text, '-', '')"
FREE_HISTORY_DAYS = PLAN_LIMITS[PlanType.FREE].history_days


def _said(table: str) -> str:
    return _SAID.format(t=table)


_PAIRS = (
    "CREATE TEMP TABLE rollup_pairs (organization_id text, conversation_id text, day date, "
    "PRIMARY KEY (organization_id, conversation_id, day)) ON COMMIT DROP"
)
_DAYS = (
    "CREATE TEMP TABLE rollup_days ON COMMIT DROP AS "
    "SELECT DISTINCT organization_id, day FROM rollup_pairs"
)

_TAKE_NOTES = f"""
WITH taken AS (
    DELETE FROM analytics_pending RETURNING organization_id, conversation_id, first_at, last_at
)
INSERT INTO rollup_pairs (organization_id, conversation_id, day)
SELECT DISTINCT t.organization_id, t.conversation_id, d::date
FROM taken t
LEFT JOIN LATERAL (
    SELECT {_said("n")} AS said
    FROM messages n
    WHERE n.conversation_id = t.conversation_id AND n.organization_id = t.organization_id
      AND n.direction = 'OUTBOUND'
      AND {_said("n")} > t.last_at
    ORDER BY {_said("n")}
    LIMIT 1
) next_reply ON true
CROSS JOIN LATERAL generate_series(
    (t.first_at AT TIME ZONE 'UTC')::date,
    (COALESCE(next_reply.said, t.last_at) AT TIME ZONE 'UTC')::date,
    interval '1 day'
) AS d
ON CONFLICT DO NOTHING
"""  # noqa: S608

# A FREE organisation's days before its history boundary lose messages to the
# purge: once computed, they are history and are not recomputed from what is left.
_KEEP_CLOSED_DAYS = """
DELETE FROM rollup_pairs r USING organizations o
WHERE o.id = r.organization_id AND o.plan = 'FREE'
  AND r.day <= ((now() - make_interval(days => :history_days)) AT TIME ZONE 'UTC')::date
  AND EXISTS (SELECT 1 FROM daily_analytics a
              WHERE a.organization_id = r.organization_id AND a.date = r.day)
"""

_CLEAR_PAIRS = """
DELETE FROM conversation_day_analytics x USING rollup_pairs r
WHERE x.organization_id = r.organization_id AND x.date = r.day
  AND x.conversation_id = r.conversation_id
"""

_COLUMNS = """conversation_day_analytics (organization_id, date, conversation_id, platform,
    messages_received, messages_sent, conversations_new, responses, response_seconds)"""

# Each (conversation, day) pair read from the thread index (the conversation's
# messages said that day, latest first, as the index yields them: no sort),
# failed replies left out (they answered nobody), judged by one pass of window
# functions; what the day's first message follows (the message before it, and
# when that was the customer's, the start of their wait) comes from probes of
# the same index, applied to the pair's one aggregated row.  So a rollup of a
# few late messages costs their pairs, not their days.
_NOT_FAILED = "NOT ({t}.direction = 'OUTBOUND' AND {t}.status = 'FAILED')"
_RECOMPUTE_PAIRS = f"""
INSERT INTO {_COLUMNS}
WITH conversation_days AS (
    SELECT r.organization_id, r.day, r.conversation_id, f.*
    FROM rollup_pairs r
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE w.inbound) AS received,
               count(*) FILTER (WHERE w.sent) AS sent,
               min(w.at) AS first_at,
               bool_or(w.inbound AND w.after_inbound IS NULL) AS starts_inbound,
               count(*) FILTER (WHERE NOT w.inbound AND w.after_inbound) AS responses,
               COALESCE(sum(floor(extract(epoch FROM w.reply_at - w.at))::bigint)
                        FILTER (WHERE w.inbound AND w.after_inbound IS NOT TRUE), 0) AS seconds,
               min(w.at) FILTER (WHERE NOT w.inbound AND w.after_inbound) AS first_response_at
        FROM (
            -- Latest first, so one pass sees, at each message, the one before
            -- it (lead) and our first reply after it (the running min): a
            -- customer message after one of ours starts a wait, which that
            -- reply ends.  The day's first message counts as a start for now;
            -- the edge below corrects it.
            SELECT {_said("m")} AS at, m.direction = 'INBOUND' AS inbound,
                   m.direction = 'OUTBOUND' AND m.status IN ('SENT', 'DELIVERED', 'READ') AS sent,
                   lead(m.direction = 'INBOUND') OVER latest_first AS after_inbound,
                   min({_said("m")}) FILTER (WHERE m.direction = 'OUTBOUND') OVER latest_first
                       AS reply_at
            FROM messages m
            WHERE m.conversation_id = r.conversation_id
              AND m.organization_id = r.organization_id
              AND {_said("m")} >= (r.day::timestamp AT TIME ZONE 'UTC')
              AND {_said("m")} < ((r.day + 1)::timestamp AT TIME ZONE 'UTC')
              AND {_NOT_FAILED.format(t="m")}
            WINDOW latest_first AS (ORDER BY {_said("m")} DESC, m.id DESC
                                    ROWS UNBOUNDED PRECEDING)
        ) w
        -- A pair whose day has no message left (moved, or failed) writes no row.
        HAVING count(*) > 0
    ) f
),
edges AS (
    -- What came before the pair's day, by two probes of the thread index: the
    -- message just before its first one (does that one answer a customer, or
    -- start the conversation?), and, when the customer's, the start of the
    -- customer's wait (the first message after our last reply before it).
    SELECT g.*, earlier.direction AS previous_direction, wait.since AS waiting_before
    FROM conversation_days g
    LEFT JOIN LATERAL (
        SELECT e.direction
        FROM messages e
        WHERE e.conversation_id = g.conversation_id AND e.organization_id = g.organization_id
          AND {_NOT_FAILED.format(t="e")} AND {_said("e")} < g.first_at
        ORDER BY {_said("e")} DESC, e.id DESC
        LIMIT 1
    ) earlier ON true
    LEFT JOIN LATERAL (
        SELECT (
            SELECT {_said("f")}
            FROM messages f
            WHERE f.conversation_id = g.conversation_id AND f.organization_id = g.organization_id
              AND {_NOT_FAILED.format(t="f")}
              AND ({_said("f")}, f.id) > (COALESCE(reply.at, '-infinity'), COALESCE(reply.id, ''))
            ORDER BY {_said("f")}, f.id
            LIMIT 1
        ) AS since
        FROM (SELECT 1 WHERE earlier.direction = 'INBOUND') customer_was_last
        LEFT JOIN LATERAL (
            SELECT {_said("q")} AS at, q.id
            FROM messages q
            WHERE q.conversation_id = g.conversation_id AND q.organization_id = g.organization_id
              AND q.direction = 'OUTBOUND' AND q.status <> 'FAILED' AND {_said("q")} < g.first_at
            ORDER BY {_said("q")} DESC, q.id DESC
            LIMIT 1
        ) reply ON true
    ) wait ON true
)
-- With a customer waiting from before the day, a first message of ours is a
-- response to that wait, and a first message of theirs continues it (so the
-- day's first response waited from before, not from that message).
SELECT d.organization_id, d.day, d.conversation_id, c.platform, d.received, d.sent,
       (d.previous_direction IS NULL
        AND (LEAST(c.created_at, d.first_at) AT TIME ZONE 'UTC')::date = d.day)::int,
       d.responses + (d.previous_direction IS NOT DISTINCT FROM 'INBOUND'
                      AND NOT d.starts_inbound)::int,
       d.seconds + CASE
           WHEN d.previous_direction IS DISTINCT FROM 'INBOUND' THEN 0
           WHEN NOT d.starts_inbound
               THEN floor(extract(epoch FROM d.first_at - d.waiting_before))::bigint
           WHEN d.first_response_at IS NOT NULL
               THEN floor(extract(epoch FROM d.first_response_at - d.waiting_before))::bigint
                    - floor(extract(epoch FROM d.first_response_at - d.first_at))::bigint
           ELSE 0 END
FROM edges d
JOIN conversations c ON c.id = d.conversation_id AND c.organization_id = d.organization_id
"""  # noqa: S608

# Many days at once (a full rollup): each touched conversation's whole
# history, in the order things were said (failed replies left out: they
# answered nobody), walked once with window functions: the previous message's
# direction tells a first reply (the one after a customer message), and the
# latest start of a run of customer messages is the moment that reply's
# customer began waiting.  Each conversation's days are summed inside its own
# walk (a few dozen rows), then only the pairs being recomputed are kept: one
# GROUP BY over every message of the shop sorted 5M rows on disk (600 MB at
# 5M messages) and cost 60 % more than this.
_RECOMPUTE_PAIRS_FROM_THREADS = f"""
INSERT INTO {_COLUMNS}
WITH touched AS (
    SELECT DISTINCT organization_id, conversation_id FROM rollup_pairs
)
SELECT t.organization_id, d.day, t.conversation_id, c.platform, d.received, d.sent, d.started,
       d.responses, d.seconds
FROM touched t
JOIN conversations c ON c.id = t.conversation_id AND c.organization_id = t.organization_id
-- One conversation at a time (a nested loop over the thread index, which
-- yields its messages already in order): never a sort of the whole table.
CROSS JOIN LATERAL (
    SELECT (w.at AT TIME ZONE 'UTC')::date AS day,
           count(*) FILTER (WHERE w.direction = 'INBOUND') AS received,
           count(*) FILTER (WHERE w.direction = 'OUTBOUND'
                            AND w.status IN ('SENT', 'DELIVERED', 'READ')) AS sent,
           count(*) FILTER (WHERE w.position = 1
                            AND (LEAST(c.created_at, w.at) AT TIME ZONE 'UTC')::date
                                = (w.at AT TIME ZONE 'UTC')::date) AS started,
           count(*) FILTER (WHERE w.direction = 'OUTBOUND'
                            AND w.previous_direction = 'INBOUND') AS responses,
           COALESCE(sum(floor(extract(epoch FROM w.at - w.waiting_since))::bigint)
                    FILTER (WHERE w.direction = 'OUTBOUND' AND w.previous_direction = 'INBOUND'),
                    0) AS seconds
    FROM (
        SELECT s.*,
               max(CASE WHEN s.direction = 'INBOUND'
                         AND s.previous_direction IS DISTINCT FROM 'INBOUND' THEN s.at END)
                   OVER (ORDER BY s.at, s.id ROWS UNBOUNDED PRECEDING) AS waiting_since
        FROM (
            SELECT m.direction, m.status, m.id, {_said("m")} AS at,
                   lag(m.direction) OVER in_order AS previous_direction,
                   row_number() OVER in_order AS position
            FROM messages m
            WHERE m.conversation_id = t.conversation_id AND m.organization_id = t.organization_id
              AND NOT (m.direction = 'OUTBOUND' AND m.status = 'FAILED')
            WINDOW in_order AS (ORDER BY {_said("m")}, m.id)
        ) s
    ) w
    GROUP BY 1
) d
WHERE EXISTS (SELECT 1 FROM rollup_pairs r WHERE r.organization_id = t.organization_id
              AND r.conversation_id = t.conversation_id AND r.day = d.day)
"""  # noqa: S608

_CLEAR_PLATFORM_DAYS = """
DELETE FROM daily_platform_analytics p USING rollup_days r
WHERE p.organization_id = r.organization_id AND p.date = r.day
"""

# A day re-summed from its conversations' rows: one range of their key per day.
_RESUM_PLATFORM_DAYS = f"""
INSERT INTO daily_platform_analytics (id, organization_id, date, platform, messages_received,
    messages_sent, conversations_new, responses, response_seconds)
SELECT {_NEW_ID}, r.organization_id, r.day, x.platform, sum(x.messages_received),
       sum(x.messages_sent), sum(x.conversations_new), sum(x.responses), sum(x.response_seconds)
FROM rollup_days r
JOIN conversation_day_analytics x ON x.organization_id = r.organization_id AND x.date = r.day
GROUP BY r.organization_id, r.day, x.platform
"""  # noqa: S608

_RECOMPUTE_DAYS = f"""
INSERT INTO daily_analytics AS a (id, organization_id, date, messages_received, messages_sent,
    conversations_new, avg_response_time)
SELECT {_NEW_ID}, r.organization_id, r.day,
       COALESCE(sum(p.messages_received), 0), COALESCE(sum(p.messages_sent), 0),
       COALESCE(sum(p.conversations_new), 0),
       CASE WHEN sum(p.responses) > 0
            THEN round(sum(p.response_seconds)::numeric / sum(p.responses))::int END
FROM rollup_days r
JOIN organizations o ON o.id = r.organization_id
LEFT JOIN daily_platform_analytics p ON p.organization_id = r.organization_id AND p.date = r.day
GROUP BY r.organization_id, r.day
ON CONFLICT (organization_id, date) DO UPDATE SET
    messages_received = EXCLUDED.messages_received,
    messages_sent = EXCLUDED.messages_sent,
    conversations_new = EXCLUDED.conversations_new,
    avg_response_time = EXCLUDED.avg_response_time
"""  # noqa: S608

_NOTE_EVERYTHING = f"""
INSERT INTO analytics_pending (organization_id, conversation_id, first_at, last_at)
SELECT organization_id, conversation_id, min({_said("messages")}), max({_said("messages")})
FROM messages {{where}}
GROUP BY organization_id, conversation_id
"""  # noqa: S608


@dataclass(frozen=True)
class RollupResult:
    ran: bool  # False: another app of the team was rolling up
    days: int = 0  # (organisation, day) pairs recomputed


def roll_up(session: Session) -> RollupResult:
    """Recompute every day touched since the last rollup; the caller commits.

    Call in a transaction of its own: the advisory lock and the temporary table
    last until it ends.
    """
    taken = session.execute(
        text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"), {"key": ROLLUP_LOCK}
    ).scalar_one()
    if not taken:
        return RollupResult(ran=False)
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text(_PAIRS))
    session.execute(text(_TAKE_NOTES))
    session.execute(text(_KEEP_CLOSED_DAYS), {"history_days": FREE_HISTORY_DAYS})
    session.execute(text(_DAYS))
    days = session.execute(text("SELECT count(*) FROM rollup_days")).scalar_one()
    if days:
        # Their true sizes steer the plans: a few pairs are index probes, every
        # pair a pass over every thread (autovacuum never sees temp tables).
        session.execute(text("ANALYZE rollup_pairs"))
        session.execute(text("ANALYZE rollup_days"))
        session.execute(text(_CLEAR_PAIRS))
        many = days >= WHOLE_THREADS_FROM_DAYS
        session.execute(text(_RECOMPUTE_PAIRS_FROM_THREADS if many else _RECOMPUTE_PAIRS))
        session.execute(text(_CLEAR_PLATFORM_DAYS))
        session.execute(text(_RESUM_PLATFORM_DAYS))
        session.execute(text(_RECOMPUTE_DAYS))
    return RollupResult(ran=True, days=int(days))


def note_everything(session: Session, organization_id: str | None = None) -> None:
    """Mark all of an organisation's (or everybody's) messages changed, so the next
    rollup recomputes every day from scratch (a full rollup)."""
    where = "WHERE organization_id = :org" if organization_id else ""
    session.execute(
        text(_NOTE_EVERYTHING.format(where=where)),
        {"org": organization_id} if organization_id else {},
    )


def today_utc(session: Session) -> date:
    """The database server's today, in UTC (the rollup's days)."""
    value = session.execute(text("SELECT (now() AT TIME ZONE 'UTC')::date")).scalar_one()
    assert isinstance(value, date)
    return value


def dashboard(session: Session, organization_id: str, days: DateRange) -> Dashboard:
    rows = session.execute(
        select(
            DailyPlatformAnalytics.date,
            DailyPlatformAnalytics.platform,
            DailyPlatformAnalytics.messages_received,
            DailyPlatformAnalytics.messages_sent,
            DailyPlatformAnalytics.conversations_new,
            DailyPlatformAnalytics.responses,
            DailyPlatformAnalytics.response_seconds,
        ).where(
            DailyPlatformAnalytics.organization_id == organization_id,
            DailyPlatformAnalytics.date.between(days.first, days.last),
        )
    ).all()
    return Dashboard(
        range=days,
        by_platform={
            (row[0], row[1]): DayFigures(row[0], row[1], row[2], row[3], row[4], row[5], row[6])
            for row in rows
        },
    )
