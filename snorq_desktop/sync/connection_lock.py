"""One app of the team at a time works a platform connection: it holds the
connection's lease (store/leases.py) while it polls or sends, renewing it as it
goes.  A lease, not a session lock, so the database may sit behind a
transaction-mode pooler, and an app that crashes is replaced once its lease
expires.

Inside one app the poller and the outbox sender share that hold: a reply is
sent while the pass polls the same connection, instead of waiting for the pass
to let go of the lease (another app's holder name would be refused it).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from snorq_desktop.store import leases


@dataclass
class _Hold:
    lease: leases.Lease
    renewal: leases.Renewal
    users: int


class ConnectionLocks:
    """One app's holds; used on the engine's loop only."""

    def __init__(self, engine: Engine, *, term: timedelta = leases.TERM) -> None:
        self._engine = engine
        self._term = term
        self.holder = leases.new_holder()
        self._holds: dict[str, _Hold] = {}
        self._taking = asyncio.Lock()  # two tasks of this app never race for one lease

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[bool]:
        """``async with locks.hold(id) as mine:`` (False: another app works it now)."""
        async with self._taking:
            hold = self._holds.get(connection_id)
            if hold is None:
                lease = await asyncio.to_thread(
                    leases.take_connection, self._engine, connection_id, self.holder, self._term
                )
                if lease is not None:
                    renewal = leases.Renewal(self._engine, lease)
                    hold = self._holds[connection_id] = _Hold(lease, renewal, 0)
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
                    await asyncio.to_thread(self._let_go, hold)

    def _let_go(self, hold: _Hold) -> None:
        hold.renewal.stop()
        leases.give_back(self._engine, hold.lease)
