"""Work leases: which app of the team works a platform connection, until when
(table ``work_leases``, migration 0017_work_leases).

A lease is a row, not a session advisory lock: behind a transaction-mode
pooler (PgBouncer) a session lock stays on whatever server connection took it
long after the app is gone.  The holder renews its lease while it works
(:class:`Renewal`) and gives it back when done; an app that crashes stops
renewing, and anyone may take the lease over once it has expired.  Every
statement is one short transaction, so nothing outlives it on a session.

Times are the database's clock, never an app's: the apps of a team may sit on
machines whose clocks disagree.
"""

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

# Long enough that a busy app renews in time (every third of it), short enough
# that a crashed app's connections are worked again within a minute.
TERM = timedelta(seconds=45)


@dataclass(frozen=True)
class Lease:
    organization_id: str
    name: str
    holder: str
    term: timedelta


def new_holder() -> str:
    """A name for one running app that says where it runs (for whoever reads the table)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def connection_lease_name(connection_id: str) -> str:
    return f"connection:{connection_id}"


# Taken when nobody holds it, renewed when the holder asks again, taken over when
# it has expired.  ON CONFLICT locks the row it found and re-reads it, so of two
# apps asking at once exactly one gets a row back.
_TAKE = """
INSERT INTO work_leases AS l (organization_id, name, holder, expires_at)
SELECT c.organization_id, :name, :holder, clock_timestamp() + :term
  FROM platform_connections c WHERE c.id = :connection_id
ON CONFLICT (organization_id, name) DO UPDATE
   SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
       taken_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.taken_at
                       ELSE clock_timestamp() END
 WHERE l.holder = EXCLUDED.holder OR l.expires_at <= clock_timestamp()
RETURNING l.organization_id
"""

_RENEW = """
UPDATE work_leases SET expires_at = clock_timestamp() + :term
 WHERE organization_id = :organization_id AND name = :name AND holder = :holder
"""

_GIVE_BACK = """
DELETE FROM work_leases
 WHERE organization_id = :organization_id AND name = :name AND holder = :holder
"""


def take_connection(
    engine: Engine, connection_id: str, holder: str, term: timedelta = TERM
) -> Lease | None:
    """``holder``'s lease on the connection, or None while another app's lease runs
    (or the connection is gone)."""
    name = connection_lease_name(connection_id)
    with engine.begin() as db:
        organization_id = db.execute(
            text(_TAKE),
            {"name": name, "holder": holder, "term": term, "connection_id": connection_id},
        ).scalar()
    if organization_id is None:
        return None
    return Lease(str(organization_id), name, holder, term)


def renew(engine: Engine, lease: Lease) -> bool:
    """False: the lease expired and another app took it over."""
    with engine.begin() as db:
        renewed = db.execute(text(_RENEW), _key(lease) | {"term": lease.term}).rowcount
    return bool(renewed)


def give_back(engine: Engine, lease: Lease) -> None:
    """Let go at once (another app need not wait for the expiry); a lease already
    taken over is left to its new holder."""
    with engine.begin() as db:
        db.execute(text(_GIVE_BACK), _key(lease))


def _key(lease: Lease) -> dict[str, object]:
    return {
        "organization_id": lease.organization_id,
        "name": lease.name,
        "holder": lease.holder,
    }


class Renewal:
    """Renews a lease every third of its term on a thread of its own, until
    stopped, so a long poll or send never outlives its claim."""

    def __init__(self, engine: Engine, lease: Lease) -> None:
        self._engine = engine
        self._lease = lease
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._run, name=f"lease {lease.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        every = self._lease.term.total_seconds() / 3
        while not self._stop.wait(every):
            try:
                if not renew(self._engine, self._lease):
                    self.lost = True
                    log.warning(
                        "%s: the lease expired before it was renewed and another app took "
                        "it over; this app lets it go",
                        self._lease.name,
                    )
                    return
            except Exception:  # the database away for a moment: try at the next turn
                log.warning("%s: the lease could not be renewed", self._lease.name, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
