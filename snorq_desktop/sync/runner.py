"""Runs the sync engine while the app is open: an asyncio loop on a thread of its
own (network waits never touch the window), a pass every ``interval`` seconds,
or at once when woken (a reply was just written)."""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

import httpx

from snorq_desktop.domain.platform_events import ReadReceipt
from snorq_desktop.sync.engine import PassReport, SyncEngine

log = logging.getLogger(__name__)


class SyncRunner:
    def __init__(
        self,
        make_engine: Callable[[httpx.AsyncClient], SyncEngine],
        *,
        interval: float = 15.0,
        on_report: Callable[[PassReport], None] | None = None,
    ) -> None:
        self._make_engine = make_engine
        self._interval = interval
        self._on_report = on_report
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: SyncEngine | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="snorq-sync", daemon=True)
        self._ready = threading.Event()
        self._paused = False
        self._idle = threading.Event()  # set while no pass is running
        self._idle.set()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(timeout=5)

    def wake(self) -> None:
        """Run a pass now (thread-safe)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def send_read_receipt(self, receipt: ReadReceipt) -> None:
        """Tell the platform a conversation was read (thread-safe, best effort)."""
        loop, engine = self._loop, self._engine
        if loop is not None and engine is not None:
            asyncio.run_coroutine_threadsafe(engine.send_read_receipt(receipt), loop)

    def pause(self, timeout: float = 120.0) -> bool:
        """No pass starts until :meth:`resume`; waits for a running one to end
        (a restore replaces the database under it).  False if it did not end in time."""
        self._paused = True
        return self._idle.wait(timeout)

    def resume(self) -> None:
        self._paused = False
        self.wake()

    def stop(self) -> None:
        self._stopping = True
        if self._engine is not None:
            self._engine.stopping.set()
        self.wake()
        self._thread.join(timeout=30)

    async def _one_pass(self, engine: SyncEngine) -> None:
        try:
            report = await engine.pass_once()
            for problem in report.errors:
                log.warning("sync: %s", problem)
            if self._on_report is not None:
                self._on_report(report)
        except Exception:  # the database away, a bug: log it, keep the loop alive
            log.exception("sync pass failed; trying again at the next one")

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._ready.set()
        async with httpx.AsyncClient(timeout=30) as http:
            engine = self._engine = self._make_engine(http)
            while not self._stopping:
                if not self._paused:
                    self._idle.clear()
                    try:
                        await self._one_pass(engine)
                    finally:
                        self._idle.set()
                self._wake.clear()
                if not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
