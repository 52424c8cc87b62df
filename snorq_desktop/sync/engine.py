"""The sync engine: for every active connection, poll what changed and send
what waits in the outbox; and store what the relay received.

Runs on an asyncio loop (network), doing database work in threads.  In a
team, exactly one app works a given connection at a time: it holds a
PostgreSQL advisory lock on a connection of its own for the whole pass,
and the lock dies with the app.
"""

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar, runtime_checkable

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.attachments import (
    DownloadedFile,
    FileToSend,
    MediaToFetch,
    file_name_for,
)
from snorq_desktop.domain.enums import ConnectionStatus, ContentType, Platform
from snorq_desktop.domain.errors import TokenKeyMissing, TokenUnreadable
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.platform_events import MalformedPayload, PlatformMessage, ReadReceipt
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.domain.tokens import SecretToken, TokenSealer
from snorq_desktop.platforms.client import (
    Account,
    AppKey,
    PlatformClient,
    Recipient,
    TemplateSender,
    TokenGrant,
)
from snorq_desktop.platforms.errors import (
    PermanentFailure,
    PlatformError,
    RateLimited,
    TemporaryFailure,
    TokenExpired,
)
from snorq_desktop.platforms.media import FileTooLarge
from snorq_desktop.platforms.meta_api import UsageMeter
from snorq_desktop.store import attachments, outbox
from snorq_desktop.store.change_notices import notify_changes
from snorq_desktop.store.connections import read_tokens
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.models import PlatformConnection
from snorq_desktop.store.platform_apps import AppProvider, app_credentials
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.sync import maintenance
from snorq_desktop.sync.webhook_intake import store_pending_events

log = logging.getLogger(__name__)
T = TypeVar("T")

# A send that began this long ago and never finished was cut off by a crash.
UNFINISHED_SEND_SECONDS = 120
POLL_OVERLAP = timedelta(minutes=10)
REFRESH_MARGIN = timedelta(minutes=10)
BACK_OFF_CAP = 300.0
# The history purge is due at most daily (kept in the database); asking is hourly.
PURGE_CHECK_SECONDS = 3600.0


def usage_wait(client: object) -> float:
    """Seconds a client asks to pause because its platform's usage is high."""
    meter = getattr(client, "usage", None)
    return meter.wait() if isinstance(meter, UsageMeter) else 0.0


@runtime_checkable
class RefreshableClient(Protocol):
    """A platform whose access tokens are renewed with a refresh token (TikTok)."""

    async def refresh(
        self, refresh_token: SecretToken, app: AppKey | None = None
    ) -> TokenGrant: ...


@dataclass(frozen=True)
class ConnectionRow:
    id: str
    organization_id: str
    platform: Platform
    platform_user_id: str
    last_sync_at: datetime | None


@dataclass
class PassReport:
    connections: int = 0
    skipped_locked: int = 0
    stored: int = 0
    sent: int = 0
    failed: int = 0
    webhook_events: int = 0
    unrouted: int = 0  # webhook events for an account no organisation has connected
    analytics_days: int = 0  # days the analytics rollup recomputed
    errors: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)


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
        self._engine = engine
        self._sessions = sessions
        self._sealer = sealer
        self._clients = clients
        self._origin = origin
        self._clock = clock
        # connection id -> monotonic time before which it is left alone (rate
        # limits, usage above 80 %, back-off after temporary failures)
        self._not_before: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._next_purge_check = 0.0
        # Set when the app closes: a running purge stops after its current batch.
        self.stopping = threading.Event()
        self._purge: asyncio.Task[maintenance.PurgeReport] | None = None

    async def _db(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(work, *args)

    # --- one pass -------------------------------------------------------------------

    async def pass_once(self) -> PassReport:
        report = PassReport()
        intake = await self._db(store_pending_events, self._sessions)
        while intake.events:
            report.webhook_events += intake.events
            report.unrouted += intake.unrouted
            report.stored += intake.messages
            report.changes = report.changes | intake.changes
            intake = await self._db(store_pending_events, self._sessions)
        connections = await self._db(self._active_connections)
        report.connections = len(connections)
        # Each connection on its own: a slow or rate-limited platform holds up no other.
        await asyncio.gather(*(self.work_connection(c, report) for c in connections))
        report.analytics_days = (await self._db(maintenance.roll_up, self._sessions)).days
        self._start_purge_if_due()
        return report

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

    def _active_connections(self, only: str | None = None) -> list[ConnectionRow]:
        """Every ACTIVE connection, or just ``only`` if it is one."""
        statement = (
            select(
                PlatformConnection.id,
                PlatformConnection.organization_id,
                PlatformConnection.platform,
                PlatformConnection.platform_user_id,
                PlatformConnection.last_sync_at,
            )
            .where(PlatformConnection.status == ConnectionStatus.ACTIVE)
            .order_by(PlatformConnection.id)
        )
        if only is not None:
            statement = statement.where(PlatformConnection.id == only)
        with self._sessions() as session:
            rows = session.execute(statement).all()
        return [ConnectionRow(*row) for row in rows]

    async def work_connection(self, connection: ConnectionRow, report: PassReport) -> None:
        lock = await self._db(self._lock, connection.id)
        if lock is None:
            report.skipped_locked += 1  # another app of the team is on it
            return
        try:
            if self._sealer is None:
                report.errors.append(
                    "This computer has no token key, so it cannot act for "
                    "the connections (another member's app can)."
                )
                return
            client = self._clients.get(connection.platform)
            if client is None:
                return
            account = await self._db(self._account, connection)
            if account is None:
                report.errors.append(f"{connection.platform.value}: tokens unreadable")
                return
            if isinstance(client, RefreshableClient):
                try:
                    account = await self._refresh_if_due(connection, client, account)
                except TokenExpired as expired:
                    await self._db(
                        self._set_status, connection, ConnectionStatus.EXPIRED, expired.sentence
                    )
                    report.errors.append(expired.sentence)
                    return
            await self._db(self._settle_crashed_sends, connection)
            if time.monotonic() < self._not_before.get(connection.id, 0):
                report.errors.append(f"{connection.platform.value}: waiting before the next try")
                return
            try:
                await self._poll(client, account, connection, report)
                await self._send(client, account, connection, report)
                await self._fetch_media(client, account, connection)
                self._failures.pop(connection.id, None)
                if (busy := usage_wait(client)) > 0:
                    # Above 80 % of the platform's allowance: slow down before it says no.
                    self._not_before[connection.id] = time.monotonic() + busy
            except TokenExpired as expired:
                await self._db(
                    self._set_status, connection, ConnectionStatus.EXPIRED, expired.sentence
                )
                report.errors.append(expired.sentence)
            except RateLimited as limited:
                wait = limited.retry_after or 60.0
                self._not_before[connection.id] = time.monotonic() + wait
                report.errors.append(f"{connection.platform.value}: rate limited for {wait:.0f} s")
            except (TemporaryFailure, MalformedPayload) as problem:
                wait = self._back_off(connection.id)
                report.errors.append(
                    f"{connection.platform.value}: {problem.sentence} (next try in {wait:.0f} s)"
                )
        finally:
            await self._db(self._unlock, lock, connection.id)

    def _back_off(self, connection_id: str) -> float:
        """Exponential back-off with jitter after temporary failures: 2, 4, 8 … s,
        capped at 5 minutes, each scaled by a random 50–100 % so a team's apps
        do not retry in step."""
        failures = self._failures.get(connection_id, 0) + 1
        self._failures[connection_id] = failures
        wait = min(BACK_OFF_CAP, 2.0**failures) * random.uniform(0.5, 1.0)  # noqa: S311
        self._not_before[connection_id] = time.monotonic() + wait
        return wait

    async def send_read_receipt(self, receipt: ReadReceipt) -> None:
        """Best effort: a receipt that cannot be sent is only logged."""
        rows = await self._db(self._active_connections, receipt.connection_id)
        client = self._clients.get(rows[0].platform) if rows else None
        if not rows or client is None or self._sealer is None:
            return
        account = await self._db(self._account, rows[0])
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

    # --- the lock ---------------------------------------------------------------------

    def _lock(self, connection_id: str) -> Connection | None:
        db = self._engine.connect()
        taken = db.execute(
            text("SELECT pg_try_advisory_lock(hashtext('snorq-connection:' || :id))"),
            {"id": connection_id},
        ).scalar()
        db.commit()
        if not taken:
            db.close()
            return None
        return db

    def _unlock(self, db: Connection, connection_id: str) -> None:
        try:
            db.execute(
                text("SELECT pg_advisory_unlock(hashtext('snorq-connection:' || :id))"),
                {"id": connection_id},
            )
            db.commit()
        finally:
            db.close()

    # --- tokens and status ----------------------------------------------------------------

    def _account(self, connection: ConnectionRow) -> Account | None:
        assert self._sealer is not None
        try:
            with self._sessions() as session:
                access, _refresh = read_tokens(session, self._sealer, connection.id)
        except TokenKeyMissing:
            # This computer lacks the team's key: leave the connection to the apps
            # that have it rather than marking it broken for everyone.
            return None
        except TokenUnreadable as unreadable:
            self._set_status(connection, ConnectionStatus.ERROR, unreadable.sentence)
            return None
        return Account(platform_user_id=connection.platform_user_id, access_token=access)

    async def _refresh_if_due(
        self, connection: ConnectionRow, client: "RefreshableClient", account: Account
    ) -> Account:
        loop = asyncio.get_running_loop()

        def refresh_now(refresh_token: SecretToken, app: AppKey | None) -> TokenGrant:
            # The network call runs on our loop; this thread holds the row lock meanwhile.
            future = asyncio.run_coroutine_threadsafe(client.refresh(refresh_token, app), loop)
            return future.result(timeout=60)

        fresh = await self._db(self._refresh_serialised, connection, refresh_now)
        return fresh or account

    def _refresh_serialised(
        self,
        connection: ConnectionRow,
        refresh_now: Callable[[SecretToken, AppKey | None], TokenGrant],
    ) -> Account | None:
        """TikTok refresh tokens work once: every app of the team takes the
        connection's row lock, re-reads the tokens, and refreshes only if nobody
        did meanwhile (compare and swap), so a refresh token is never used twice."""
        assert self._sealer is not None
        now = self._clock()
        with unit_of_work(self._sessions) as session:
            row = session.execute(
                select(
                    PlatformConnection.token_expires_at,
                    PlatformConnection.refresh_token,
                    PlatformConnection.access_token,
                )
                .where(PlatformConnection.id == connection.id)
                .with_for_update()
            ).one()
            expires_at, sealed_refresh, sealed_access = row
            if sealed_refresh is None:
                return None
            if expires_at is not None and expires_at > now + REFRESH_MARGIN:
                # Not due, or another app refreshed while we waited for the lock:
                # the token stored now is the one to use.
                return Account(
                    platform_user_id=connection.platform_user_id,
                    access_token=self._sealer.open(sealed_access),
                )
            # The organisation's own TikTok app, when entered on the connections page.
            app = app_credentials(
                session, self._sealer, connection.organization_id, AppProvider.TIKTOK
            )
            grant = refresh_now(
                self._sealer.open(sealed_refresh),
                AppKey(app.app_id, app.app_secret) if app is not None else None,
            )
            session.execute(
                update(PlatformConnection)
                .where(PlatformConnection.id == connection.id)
                .values(
                    access_token=self._sealer.seal(grant.access_token),
                    refresh_token=(
                        self._sealer.seal(grant.refresh_token)
                        if grant.refresh_token
                        else sealed_refresh
                    ),
                    token_expires_at=now + timedelta(seconds=grant.expires_in or 86_400),
                )
            )
        return Account(
            platform_user_id=connection.platform_user_id, access_token=grant.access_token
        )

    def _set_status(self, connection: ConnectionRow, status: ConnectionStatus, error: str) -> None:
        with unit_of_work(self._sessions) as session:
            outbox.mark_connection(session, connection.id, status, error)

    def _settle_crashed_sends(self, connection: ConnectionRow) -> None:
        with unit_of_work(self._sessions) as session:
            touched = outbox.settle_unknown_outcomes(
                session, connection.id, UNFINISHED_SEND_SECONDS
            )
            if touched:
                ids = frozenset(touched)
                notify_changes(
                    session,
                    connection.organization_id,
                    Changes(conversations=ids, messages=ids),
                    self._origin,
                )

    # --- polling ------------------------------------------------------------------------

    async def _poll(
        self,
        client: PlatformClient,
        account: Account,
        connection: ConnectionRow,
        report: PassReport,
    ) -> None:
        # Overlap the last pass a little: ingest is idempotent, and a webhook may
        # have moved last_sync_at past a conversation the poll had not read yet.
        since = connection.last_sync_at - POLL_OVERLAP if connection.last_sync_at else None
        changed = await client.changed_conversations(account, since)
        found: list[PlatformMessage] = []
        for conversation_id in changed:
            found.extend(await client.messages(account, conversation_id))
        report.changes = report.changes | await self._db(self._store, connection, found)
        report.stored += sum(1 for _ in found)

    def _store(self, connection: ConnectionRow, found: list[PlatformMessage]) -> Changes:
        with unit_of_work(self._sessions) as session:
            result = ingest_messages(
                session,
                organization_id=connection.organization_id,
                connection_id=connection.id,
                platform=connection.platform,
                messages=found,
            )
            notify_changes(session, connection.organization_id, result.changes, self._origin)
        return result.changes

    # --- the outbox ---------------------------------------------------------------------

    async def _send(
        self,
        client: PlatformClient,
        account: Account,
        connection: ConnectionRow,
        report: PassReport,
    ) -> None:
        replies = await self._db(self._pending, connection.id)
        held: set[str] = set()  # conversations whose earlier reply is still waiting
        for reply in replies:
            if reply.conversation_id in held:
                continue  # keep the order within a conversation
            if not await self._db(self._claim, reply.message_id):
                continue
            try:
                external_id = await self._deliver(client, account, reply)
            except PermanentFailure as refused:
                await self._db(self._finish, connection, reply, None, refused.sentence)
                report.failed += 1
                continue
            except (TokenExpired, RateLimited, TemporaryFailure):
                await self._db(self._release, reply.message_id)
                raise
            except PlatformError as other:
                await self._db(self._release, reply.message_id)
                held.add(reply.conversation_id)
                report.errors.append(other.sentence)
                continue
            await self._db(self._finish, connection, reply, external_id, None)
            report.sent += 1

    async def _deliver(
        self, client: PlatformClient, account: Account, reply: outbox.OutgoingReply
    ) -> str:
        """Hand one reply to its platform: a template, a file, or text."""
        to = Recipient(reply.conversation_external_id, reply.contact_id, reply.last_inbound_at)
        if reply.template is not None:
            if not isinstance(client, TemplateSender):
                raise PermanentFailure("Only WhatsApp sends message templates.")
            return await client.send_template(account, to, reply.template)
        if reply.content_type is not ContentType.TEXT:
            file = await self._db(self._file, reply.message_id)
            if file is None:
                raise PermanentFailure("The file of this reply is no longer stored.")
            return await client.send_file(account, to, file, reply.text or None, now=self._clock())
        return await client.send_text(account, to, reply.text, now=self._clock())

    def _file(self, message_id: str) -> FileToSend | None:
        with self._sessions() as session:
            return attachments.file_to_send(session, message_id)

    # --- customers' files -----------------------------------------------------------

    async def _fetch_media(
        self, client: PlatformClient, account: Account, connection: ConnectionRow
    ) -> None:
        """Keep customers' files in the team database while the platform still
        offers them (WhatsApp's links die, Messenger's CDN URLs expire)."""
        waiting = await self._db(self._media_to_fetch, connection.id)
        fetched: set[str] = set()
        for media in waiting:
            name = file_name_for(media)
            try:
                file = await client.download(account, media)
            except FileTooLarge as large:
                await self._db(self._unavailable, media, name, large.sentence, large.size)
            except PermanentFailure as gone:
                await self._db(self._unavailable, media, name, gone.sentence, None)
            except (TemporaryFailure, MalformedPayload):
                continue  # next pass
            else:
                await self._db(self._keep_file, media, file, name)
            fetched.add(media.message_id)
        if fetched:
            await self._db(self._announce_files, connection, frozenset(fetched))

    def _media_to_fetch(self, connection_id: str) -> list[MediaToFetch]:
        with self._sessions() as session:
            return attachments.media_to_fetch(session, connection_id)

    def _keep_file(self, media: MediaToFetch, file: DownloadedFile, name: str) -> None:
        with unit_of_work(self._sessions) as session:
            attachments.keep_downloaded(session, media, file, name)

    def _unavailable(self, media: MediaToFetch, name: str, problem: str, size: int | None) -> None:
        with unit_of_work(self._sessions) as session:
            attachments.note_unavailable(session, media, name, problem, size)

    def _announce_files(self, connection: ConnectionRow, message_ids: frozenset[str]) -> None:
        with unit_of_work(self._sessions) as session:
            conversations = attachments.conversations_of(session, message_ids)
            notify_changes(
                session,
                connection.organization_id,
                Changes(conversations=conversations, messages=conversations),
                self._origin,
            )

    # --- templates ------------------------------------------------------------------

    async def templates(self, connection_id: str) -> list[MessageTemplate]:
        """The approved WhatsApp templates of a connection (asked of Meta each time:
        templates are approved and paused outside the app)."""
        rows = await self._db(self._active_connections, connection_id)
        client: object = self._clients.get(Platform.WHATSAPP)
        if not rows or self._sealer is None or not isinstance(client, TemplateSender):
            raise PermanentFailure("This WhatsApp connection is not active on this computer.")
        business_account = await self._db(self._business_account_of, connection_id)
        if not business_account:
            raise PermanentFailure(
                "The WhatsApp connection has no business account id: reconnect it with one."
            )
        account = await self._db(self._account, rows[0])
        if account is None:
            raise PermanentFailure("This computer cannot read the WhatsApp connection's token.")
        return await client.templates(account, business_account)

    def _business_account_of(self, connection_id: str) -> str | None:
        with self._sessions() as session:
            return session.execute(
                select(PlatformConnection.business_account_id).where(
                    PlatformConnection.id == connection_id
                )
            ).scalar_one_or_none()

    def _pending(self, connection_id: str) -> list[outbox.OutgoingReply]:
        with self._sessions() as session:
            return outbox.pending_replies(session, connection_id)

    def _claim(self, message_id: str) -> bool:
        with unit_of_work(self._sessions) as session:
            return outbox.claim(session, message_id)

    def _release(self, message_id: str) -> None:
        with unit_of_work(self._sessions) as session:
            outbox.release(session, message_id)

    def _finish(
        self,
        connection: ConnectionRow,
        reply: outbox.OutgoingReply,
        external_id: str | None,
        reason: str | None,
    ) -> None:
        with unit_of_work(self._sessions) as session:
            if external_id is not None:
                outbox.mark_sent(session, reply.message_id, external_id)
            else:
                outbox.mark_failed(session, reply.message_id, reason or "refused")
            ids = frozenset({reply.conversation_id})
            notify_changes(
                session,
                connection.organization_id,
                Changes(conversations=ids, messages=ids),
                self._origin,
            )
