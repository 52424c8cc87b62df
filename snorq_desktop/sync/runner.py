"""Runs the sync engine while the app is open, on the window's asyncio loop
(qasync: Qt's own event loop, so no second loop and no locking between them).

The loop only ever waits on the network there: every database call of the
engine runs in a worker thread (``asyncio.to_thread``), so the window never
waits on PostgreSQL for it.  A pass runs every ``interval`` seconds, or at
once when woken (a reply was just written).
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any

import httpx

from snorq_desktop.domain.platform_events import ReadReceipt
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.platforms.errors import PermanentFailure
from snorq_desktop.sync.engine import PassReport, SyncEngine

log = logging.getLogger(__name__)


class SyncRunner:
    """Every method is called on the loop's thread (the window's)."""

    def __init__(
        self,
        make_engine: Callable[[httpx.AsyncClient], SyncEngine],
        *,
        loop: asyncio.AbstractEventLoop,
        interval: float = 15.0,
        on_report: Callable[[PassReport], None] | None = None,
    ) -> None:
        self._make_engine = make_engine
        self._loop = loop
        self._interval = interval
        self._on_report = on_report
        self._engine: SyncEngine | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._errands: set[asyncio.Task[object]] = set()
        self._paused = False
        self._idle = threading.Event()  # set while no pass is running
        self._idle.set()

    def start(self) -> None:
        self._task = self._loop.create_task(self._main(), name="snorq-sync")

    def wake(self) -> None:
        """Run a pass now (from any thread)."""
        self._loop.call_soon_threadsafe(self._wake.set)

    def send_read_receipt(self, receipt: ReadReceipt) -> None:
        """Tell the platform a conversation was read (best effort)."""
        if (engine := self._engine) is not None:
            self._errand(engine.send_read_receipt(receipt))

    def templates(self, connection_id: str) -> "Future[list[MessageTemplate]]":
        """The connection's approved WhatsApp templates, asked of Meta."""
        answer: Future[list[MessageTemplate]] = Future()
        engine = self._engine
        if engine is None:
            answer.set_exception(PermanentFailure("Syncing is off, so Meta cannot be asked."))
            return answer

        async def ask() -> None:
            try:
                answer.set_result(await engine.templates(connection_id))
            except Exception as error:  # handed to the dialog, which says it
                answer.set_exception(error)

        self._errand(ask())
        return answer

    def pause(self, timeout: float = 120.0) -> bool:
        """No pass starts until :meth:`resume`; waits for a running one to end (a
        restore replaces the database under it).  Called from a worker thread, never
        the loop's.  False if the pass did not end in time."""
        self._paused = True
        return self._idle.wait(timeout)

    def resume(self) -> None:
        self._paused = False
        self.wake()

    def stop(self) -> "asyncio.Task[None] | None":
        """Ask the loop to end after the pass in progress (a purge stops between
        its batches); the task to wait for."""
        self._stopping = True
        if self._engine is not None:
            self._engine.stopping.set()
        self.wake()
        return self._task

    async def _one_pass(self, engine: SyncEngine) -> None:
        try:
            report = await engine.pass_once()
            for problem in report.errors:
                log.warning("sync: %s", problem)
            if self._on_report is not None:
                self._on_report(report)
        except Exception:  # the database away, a bug: log it, keep the loop alive
            log.exception("sync pass failed; trying again at the next one")

    def _errand(self, work: Coroutine[Any, Any, object]) -> None:
        task = self._loop.create_task(work)
        self._errands.add(task)  # a reference, or the task may vanish mid-way
        task.add_done_callback(self._errands.discard)

    async def _main(self) -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            engine = self._engine = self._make_engine(http)
            while not self._stopping:
                # Busy first, then the check: a pause() between the two waits for
                # this pass; one before it is seen here.
                self._idle.clear()
                try:
                    if not self._paused:
                        await self._one_pass(engine)
                finally:
                    self._idle.set()
                self._wake.clear()
                if not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
            self._engine = None
