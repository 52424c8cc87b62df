"""The sync engine: for every active connection, poll what changed and send
what waits in the outbox; and store what the relay received.

Runs on an asyncio loop (network), doing database work in threads.  In a
team, exactly one app works a given connection at a time: it holds the
connection's lease, renewed while it polls or sends (sync/connection_lock.py);
a crashed app's lease expires and another app takes it over.

The parts: the poller (sync/poller.py), the outbox sender with its own
wake-up (sync/outbox_sender.py), the media fetcher (sync/media_fetcher.py),
and the intake of webhooks (sync/webhook_intake.py); their SQL is in
store/sync_records.py.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.platform_events import ReadReceipt
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.domain.tokens import TokenSealer
from snorq_desktop.platforms.client import Account, PlatformClient, Recipient, TemplateSender
from snorq_desktop.platforms.errors import PermanentFailure, PlatformError
from snorq_desktop.store.sync_records import ConnectionRow, SyncRecords
from snorq_desktop.sync import maintenance
from snorq_desktop.sync.connection_lock import ConnectionLocks
from snorq_desktop.sync.connection_work import ConnectionWork, PassReport
from snorq_desktop.sync.media_fetcher import MediaFetcher
from snorq_desktop.sync.outbox_sender import UNFINISHED_SEND_SECONDS, OutboxSender
from snorq_desktop.sync.poller import Poller
from snorq_desktop.sync.webhook_intake import store_pending_events

log = logging.getLogger(__name__)

# The history purge is due at most daily (kept in the database); asking is hourly.
PURGE_CHECK_SECONDS = 3600.0

__all__ = ["PassReport", "SyncEngine"]


def _log_purge(task: "asyncio.Task[maintenance.PurgeReport]") -> None:
    if task.cancelled():
        return
    if (error := task.exception()) is not None:
        log.error("history purge failed; it is tried again later", exc_info=error)
    elif (done := task.result()).messages or done.webhook_events:
        log.info(
            "history purge: %d messages, %d webhook bodies", done.messages, done.webhook_events
        )


class SyncEngine:
    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        sealer: TokenSealer | None,
        clients: dict[Platform, PlatformClient],
        *,
        origin: str = "sync",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``origin``: the app's own id, tagged on every NOTIFY the engine sends,
        so the app that made a change does not apply it twice from its echo."""
        self._engine = engine
        self._sessions = sessions
        self._origin = origin
        self._records = records = SyncRecords(sessions, sealer, origin)
        self.connections = ConnectionWork(
            records,
            ConnectionLocks(engine),
            clients,
            can_open_tokens=sealer is not None,
            clock=clock,
        )
        self.poller = Poller(records)
        self.outbox = OutboxSender(records, self.connections, clock)
        self.media = MediaFetcher(records)
        self._clients = clients
        self._can_open_tokens = sealer is not None
        self._next_purge_check = 0.0
        # Set when the app closes: a running purge stops after its current batch.
        self.stopping = threading.Event()
        self._purge: asyncio.Task[maintenance.PurgeReport] | None = None

    # --- one pass -------------------------------------------------------------------

    async def pass_once(self) -> PassReport:
        report = await self.take_in()
        connections = await asyncio.to_thread(self._records.active_connections)
        report.connections = len(connections)
        # Each connection on its own: a slow or rate-limited platform holds up no other.
        await asyncio.gather(*(self.work_connection(c, report) for c in connections))
        report.analytics_days = (await asyncio.to_thread(maintenance.roll_up, self._sessions)).days
        self._start_purge_if_due()
        return report

    async def take_in(self) -> PassReport:
        """Every webhook the relay stored and no app has yet (the intake)."""
        report = PassReport()
        store = partial(store_pending_events, self._sessions, origin=self._origin)
        while (intake := await asyncio.to_thread(store)).events:
            report.webhook_events += intake.events
            report.unrouted += intake.unrouted
            report.stored += intake.messages
            report.changes = report.changes | intake.changes
        return report

    async def answer_arrivals(self, arrived: Changes) -> PassReport:
        """Right after the intake stored customers' messages: their connections'
        away and greeting messages, queued and sent by this app if it can take
        the connection's lease (else by the holder, at its next send or pass)."""
        report = PassReport()
        conversations = frozenset(conversation for conversation, _ in arrived.arrivals)
        if not conversations:
            return report
        connections = await asyncio.to_thread(self._records.connections_of, conversations)
        await asyncio.gather(*(self.outbox.send_for(c, report) for c in connections))
        return report

    async def work_connection(self, connection: ConnectionRow, report: PassReport) -> None:
        async with self.connections.turn(connection, report) as turn:
            if turn is None:
                return
            settled = await asyncio.to_thread(
                self._records.settle_crashed_sends, connection, UNFINISHED_SEND_SECONDS
            )
            report.changes = report.changes | settled
            if self.connections.waiting(connection, report):
                return
            async with self.connections.guarded(turn, report):
                await self.poller.poll(turn, report)
                await self.outbox.send(turn, report)
                await self.media.fetch(turn, report)

    def _start_purge_if_due(self) -> None:
        """The history purge runs beside the passes (a first one may take minutes)."""
        if self._purge is not None and not self._purge.done():
            return
        if time.monotonic() < self._next_purge_check:
            return
        self._next_purge_check = time.monotonic() + PURGE_CHECK_SECONDS
        self._purge = asyncio.create_task(
            asyncio.to_thread(
                partial(
                    maintenance.purge_history,
                    self._engine,
                    self._sessions,
                    stopping=self.stopping.is_set,
                )
            )
        )
        self._purge.add_done_callback(_log_purge)

    async def finish(self) -> None:
        """The app is closing: wait for a running purge, which stops after its
        current batch, so no task is left pending when the loop ends."""
        if self._purge is not None and not self._purge.done():
            await asyncio.gather(self._purge, return_exceptions=True)

    # --- asked by the window ------------------------------------------------------------

    async def send_read_receipt(self, receipt: ReadReceipt) -> None:
        """Best effort: a receipt that cannot be sent is only logged."""
        rows = await asyncio.to_thread(self._records.active_connections, receipt.connection_id)
        client = self.connections.client_for(rows[0]) if rows else None
        if not rows or client is None:
            return
        account = await self._account_here(rows[0])
        if account is None:
            return
        try:
            await client.mark_read(
                account,
                Recipient(receipt.conversation_id, receipt.contact_id, None),
                receipt.message_id,
            )
        except PlatformError as problem:
            log.info("read receipt not sent: %s", problem.sentence)

    async def templates(self, connection_id: str) -> list[MessageTemplate]:
        """The approved WhatsApp templates of a connection (asked of Meta each time:
        templates are approved and paused outside the app)."""
        rows = await asyncio.to_thread(self._records.active_connections, connection_id)
        client: object = self._clients.get(Platform.WHATSAPP)
        if not rows or not self._can_open_tokens or not isinstance(client, TemplateSender):
            raise PermanentFailure("This WhatsApp connection is not active on this computer.")
        business_account = await asyncio.to_thread(self._records.business_account_of, connection_id)
        if not business_account:
            raise PermanentFailure(
                "The WhatsApp connection has no business account id: reconnect it with one."
            )
        account = await self._account_here(rows[0])
        if account is None:
            raise PermanentFailure("This computer cannot read the WhatsApp connection's token.")
        return await client.templates(account, business_account)

    async def _account_here(self, connection: ConnectionRow) -> Account | None:
        if not self._can_open_tokens:
            return None
        return await self.connections.account(connection)
