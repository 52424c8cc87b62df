"""Work the sync engine does for the whole team beside polling: the analytics
rollup and the FREE plan's history purge.

Any app of the team may run them; PostgreSQL advisory locks make it one at a
time, each lasting one transaction (nothing stays on a session, so the
database may sit behind a transaction-mode pooler).  The rollup's lock lasts
its transaction.  The purge does not start while another app's purge
transaction holds the purge's lock; once started, each batch waits for that
lock, so two apps' batches take turns (never at once) and the work is shared.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.store import analytics, retention
from snorq_desktop.store.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

PURGE_LOCK = "snorq-retention-purge"
PURGE_BATCH = 5_000
_BATCH_ATTEMPTS = 3


@dataclass(frozen=True)
class PurgeReport:
    ran: bool  # False: another app of the team holds the purge
    organizations: int = 0
    messages: int = 0
    webhook_events: int = 0


def roll_up(sessions: sessionmaker[Session]) -> analytics.RollupResult:
    with unit_of_work(sessions) as session:
        return analytics.roll_up(session)


def purge_history(
    engine: Engine,
    sessions: sessionmaker[Session],
    *,
    batch: int = PURGE_BATCH,
    warning_period: timedelta = retention.WARNING_PERIOD,
    stopping: Callable[[], bool] = lambda: False,
) -> PurgeReport:
    """Remove what is past the FREE organisations' history, where due.  ``stopping``
    is asked between batches: an app closing mid-purge leaves the rest to the next
    run (every batch is whole)."""
    del engine  # kept for the callers: every transaction is the sessions' own
    with unit_of_work(sessions) as session:
        if not _purge_turn(session):
            return PurgeReport(ran=False)
        due = retention.organizations_due(session, warning_period)
        # One boundary for the whole run, taken from the server's clock once.
        boundary = retention.history_boundary(session)
    messages = 0
    for organization_id in due:
        removed = 0
        while not stopping() and (
            done := _batch(sessions, retention.purge_batch, organization_id, boundary, batch)
        ):
            removed += done
        if stopping():
            messages += removed
            break
        with unit_of_work(sessions) as session:
            retention.record_purge(session, organization_id, removed)
        if removed:
            log.info("history purge: %d messages past %s removed", removed, boundary)
        messages += removed
    events = 0
    while not stopping() and (
        done := _batch(sessions, retention.purge_webhook_bodies, boundary, batch)
    ):
        events += done
    return PurgeReport(ran=True, organizations=len(due), messages=messages, webhook_events=events)


def _purge_turn(session: Session) -> bool:
    """The purge's lock for this transaction (released at its commit), if free."""
    taken = session.execute(
        text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"), {"key": PURGE_LOCK}
    ).scalar()
    return bool(taken)


def _batch(sessions: sessionmaker[Session], work: Callable[..., int], *args: object) -> int:
    """One batch in its own transaction; a deadlock with a writer (both touched the
    same conversations) is retried, as PostgreSQL's own advice goes.  It waits
    its turn behind another app's purge batch (which takes it before touching
    any row, so the wait closes no circle)."""
    for attempt in range(1, _BATCH_ATTEMPTS + 1):
        try:
            with unit_of_work(sessions) as session:
                session.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": PURGE_LOCK}
                )
                return int(work(session, *args))
        except OperationalError as error:
            if "deadlock" not in str(error.orig) or attempt == _BATCH_ATTEMPTS:
                raise
    return 0
