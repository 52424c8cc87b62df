"""One app of the team at a time works a platform connection: it holds the
connection's advisory lock (store/advisory_lock.py) while it polls or sends.

Inside one app the poller and the outbox sender share that hold: a reply is
sent while the pass polls the same connection, instead of waiting for the pass
to let go of the lock (a second PostgreSQL session of the same app would be
refused it like another app).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from snorq_desktop.store import advisory_lock


def connection_key(connection_id: str) -> str:
    return f"snorq-connection:{connection_id}"


@dataclass
class _Hold:
    db: Connection
    users: int


class ConnectionLocks:
    """One app's holds; used on the engine's loop only."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._holds: dict[str, _Hold] = {}
        self._taking = asyncio.Lock()  # two tasks of this app never race for one lock

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[bool]:
        """``async with locks.hold(id) as mine:`` (False: another app works it now)."""
        async with self._taking:
            hold = self._holds.get(connection_id)
            if hold is None:
                db = await asyncio.to_thread(
                    advisory_lock.take, self._engine, connection_key(connection_id)
                )
                if db is not None:
                    hold = self._holds[connection_id] = _Hold(db, 0)
            if hold is not None:
                hold.users += 1
        if hold is None:
            yield False
            return
        try:
            yield True
        finally:
            async with self._taking:  # let go before anyone of this app asks again
                hold.users -= 1
                if hold.users == 0:
                    del self._holds[connection_id]
                    await asyncio.to_thread(
                        advisory_lock.give_back, hold.db, connection_key(connection_id)
                    )
