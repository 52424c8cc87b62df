"""Runs the sync engine while the app is open, on the window's asyncio loop
(qasync: Qt's own event loop, so no second loop and no locking between them).

The loop only ever waits on the network there: every database call of the
engine runs in a worker thread (``asyncio.to_thread``), so the window never
waits on PostgreSQL for it.  Three things run side by side, each with its own
wake-up:
- a pass every ``interval`` seconds, or at once when woken (a connection was
  just made): webhooks, then polling and sending per connection;
- the intake, woken by the relay's NOTIFY (the listener calls :meth:`take_in`):
  this app is the one owner of storing what the relay received;
- the outbox sender, woken by the :class:`OutboxBell` a stored reply rings.
Whatever any of them changed reaches the window through one callback,
``on_changes`` (called on the loop's thread).
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from functools import partial
from typing import Any

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.platform_events import ReadReceipt
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.platforms.errors import PermanentFailure
from snorq_desktop.sync.engine import PassReport, SyncEngine
from snorq_desktop.sync.outbox_sender import OutboxBell

log = logging.getLogger(__name__)

# Another app held the connection while a reply waited: ask again this soon
# (its pass sends what it finds, so this is only for a reply stored after that).
LOCKED_RETRY_SECONDS = 1.0
# A customer's message is answered by whoever holds its connection: asked this
# many times, a second apart, before it is left to the holder's next pass.
ANSWER_TRIES = 30


class SyncRunner:
    """Every method is called on the loop's thread (the window's), but for
    :meth:`wake`, :meth:`take_in` and :meth:`pause`."""

    def __init__(
        self,
        make_engine: Callable[[], SyncEngine],
        *,
        loop: asyncio.AbstractEventLoop,
        interval: float = 15.0,
        on_changes: Callable[[Changes], None] | None = None,
        outbox_bell: OutboxBell | None = None,
    ) -> None:
        self._make_engine = make_engine
        self._loop = loop
        self._interval = interval
        self._on_changes = on_changes
        self._bell = outbox_bell or OutboxBell()
        self._engine: SyncEngine | None = None
        self._wake = asyncio.Event()
        self._intake_now = asyncio.Event()
        self._send_now = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._errands: set[asyncio.Task[object]] = set()
        self._paused = False
        self._quiet = threading.Condition()  # signalled when no part is working
        self._working = 0

    def start(self) -> None:
        self._task = self._loop.create_task(self._main(), name="snorq-sync")

    def wake(self) -> None:
        """Run a pass now (from any thread)."""
        self._loop.call_soon_threadsafe(self._wake.set)

    def take_in(self) -> None:
        """Store what the relay received, now (from any thread: the listener's)."""
        self._loop.call_soon_threadsafe(self._intake_now.set)

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
        """Nothing starts until :meth:`resume`; waits for a running pass, intake or
        send to end (a restore replaces the database under it).  Called from a
        worker thread, never the loop's.  False if they did not end in time."""
        self._paused = True
        with self._quiet:
            return self._quiet.wait_for(lambda: self._working == 0, timeout)

    def resume(self) -> None:
        self._paused = False
        self.wake()
        self.take_in()
        self._bell.ring()

    def stop(self) -> "asyncio.Task[None] | None":
        """Ask the loop to end after the work in progress (a purge stops between
        its batches); the task to wait for."""
        self._stopping = True
        if self._engine is not None:
            self._engine.stopping.set()
        self.wake()
        self.take_in()
        self._loop.call_soon_threadsafe(self._send_now.set)
        return self._task

    @contextlib.contextmanager
    def _at_work(self) -> Iterator[bool]:
        """Busy first, then the check: a pause() between the two waits for this
        work; one before it is seen here (False: paused, do nothing)."""
        with self._quiet:
            self._working += 1
        try:
            yield not self._paused
        finally:
            with self._quiet:
                self._working -= 1
                self._quiet.notify_all()

    def _publish(self, report: PassReport) -> None:
        for problem in report.errors:
            log.warning("sync: %s", problem)
        if report.changes and self._on_changes is not None:
            self._on_changes(report.changes)

    async def _work(
        self, what: str, work: Callable[[], Coroutine[Any, Any, PassReport]]
    ) -> PassReport:
        with self._at_work() as allowed:
            if not allowed:
                return PassReport()
            try:
                report = await work()
            except Exception:  # the database away, a bug: log it, keep the loop alive
                log.exception("sync %s failed; trying again at the next one", what)
                return PassReport()
        self._publish(report)
        return report

    def _ring(self) -> None:
        """The bell rang (on the thread that stored the reply)."""
        self._loop.call_soon_threadsafe(self._send_now.set)

    def _errand(self, work: Coroutine[Any, Any, object]) -> None:
        task = self._loop.create_task(work)
        self._errands.add(task)  # a reference, or the task may vanish mid-way
        task.add_done_callback(self._errands.discard)

    async def _main(self) -> None:
        # The engine's platform clients use the root's one HTTP client (boot/).
        engine = self._engine = self._make_engine()
        self._bell.listen(self._ring)
        beside = [
            self._loop.create_task(self._intake(engine), name="snorq-intake"),
            self._loop.create_task(self._sender(engine), name="snorq-outbox"),
        ]
        try:
            while not self._stopping:
                self._wake.clear()
                await self._work("pass", engine.pass_once)
                if not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=self._interval)
        finally:
            self._bell.stop_listening()
            self._intake_now.set()
            self._send_now.set()
            await asyncio.gather(*beside, return_exceptions=True)
            await engine.finish()
            self._engine = None

    async def _intake(self, engine: SyncEngine) -> None:
        """Stores what the relay received; a customer's new message is answered at
        once (away, greeting: SyncEngine.answer_arrivals) if this app can take the
        connection's lease, asked again every second for a while if another app
        holds it (its pass may have sent before this message was stored)."""
        unanswered, tries = Changes(), 0
        while not self._stopping:
            if unanswered.arrivals and tries < ANSWER_TRIES:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._intake_now.wait(), LOCKED_RETRY_SECONDS)
            else:
                unanswered, tries = Changes(), 0
                await self._intake_now.wait()
            if self._intake_now.is_set() and not self._stopping:
                self._intake_now.clear()
                stored = await self._work("intake", engine.take_in)
                if stored.changes.arrivals:
                    unanswered, tries = unanswered | Changes(arrivals=stored.changes.arrivals), 0
            if unanswered.arrivals and not self._stopping:
                answered = await self._work("answer", partial(engine.answer_arrivals, unanswered))
                tries += 1
                if not answered.skipped_locked:
                    unanswered = Changes()

    async def _sender(self, engine: SyncEngine) -> None:
        retry: float | None = None
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._send_now.wait(), timeout=retry)
            self._send_now.clear()
            if not self._stopping:
                report = await self._work("send", engine.outbox.send_waiting)
                retry = LOCKED_RETRY_SECONDS if report.skipped_locked else None
