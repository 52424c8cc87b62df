"""Working one platform connection, for the poller and the outbox sender alike:
its lock, its token (refreshed when due), and how long to leave it alone after
the platform said no or asked to slow down.

Database work runs in worker threads; everything else on the engine's loop.
"""

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, runtime_checkable

from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.errors import TokenKeyMissing, TokenUnreadable
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.platform_events import MalformedPayload
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.client import Account, AppKey, PlatformClient, TokenGrant
from snorq_desktop.platforms.errors import RateLimited, TemporaryFailure, TokenExpired
from snorq_desktop.platforms.meta_api import UsageMeter
from snorq_desktop.store.connections import FreshTokens
from snorq_desktop.store.platform_apps import AppCredentials
from snorq_desktop.store.sync_records import ConnectionRow, SyncRecords
from snorq_desktop.sync.connection_lock import ConnectionLocks

REFRESH_MARGIN = timedelta(minutes=10)
BACK_OFF_CAP = 300.0


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
class Turn:
    """This app holds the connection's lock and can act for it."""

    connection: ConnectionRow
    client: PlatformClient
    account: Account


class ConnectionWork:
    def __init__(
        self,
        records: SyncRecords,
        locks: ConnectionLocks,
        clients: dict[Platform, PlatformClient],
        *,
        can_open_tokens: bool,
        clock: Callable[[], datetime],
    ) -> None:
        self._records = records
        self._locks = locks
        self._clients = clients
        self._can_open_tokens = can_open_tokens
        self._clock = clock
        # connection id -> monotonic time before which it is left alone (rate
        # limits, usage above 80 %, back-off after temporary failures)
        self._not_before: dict[str, float] = {}
        self._failures: dict[str, int] = {}

    def client_for(self, connection: ConnectionRow) -> PlatformClient | None:
        return self._clients.get(connection.platform)

    @asynccontextmanager
    async def turn(
        self, connection: ConnectionRow, report: PassReport
    ) -> AsyncIterator[Turn | None]:
        """The connection's lock, client and (fresh) token; None: not this app's to work now."""
        async with self._locks.hold(connection.id) as mine:
            if not mine:
                report.skipped_locked += 1  # another app of the team is on it
                yield None
                return
            yield await self._ready(connection, report)

    async def _ready(self, connection: ConnectionRow, report: PassReport) -> Turn | None:
        if not self._can_open_tokens:
            report.errors.append(
                "This computer has no token key, so it cannot act for "
                "the connections (another member's app can)."
            )
            return None
        client = self.client_for(connection)
        if client is None:
            return None
        account = await self.account(connection)
        if account is None:
            report.errors.append(f"{connection.platform.value}: tokens unreadable")
            return None
        if isinstance(client, RefreshableClient):
            try:
                account = await self.refresh_if_due(connection, client, account)
            except TokenExpired as expired:
                await self._expired(connection, expired, report)
                return None
        return Turn(connection, client, account)

    def waiting(self, connection: ConnectionRow, report: PassReport) -> bool:
        """True (and said in the report) while the connection is being left alone."""
        if time.monotonic() < self._not_before.get(connection.id, 0):
            report.errors.append(f"{connection.platform.value}: waiting before the next try")
            return True
        return False

    @asynccontextmanager
    async def guarded(self, turn: Turn, report: PassReport) -> AsyncIterator[None]:
        """What the platform's refusals mean for the connection: an expired token
        marks it, a rate limit or a temporary failure pauses it."""
        connection = turn.connection
        try:
            yield
            self._failures.pop(connection.id, None)
            if (busy := usage_wait(turn.client)) > 0:
                # Above 80 % of the platform's allowance: slow down before it says no.
                self._not_before[connection.id] = time.monotonic() + busy
        except TokenExpired as expired:
            await self._expired(connection, expired, report)
        except RateLimited as limited:
            wait = limited.retry_after or 60.0
            self._not_before[connection.id] = time.monotonic() + wait
            report.errors.append(f"{connection.platform.value}: rate limited for {wait:.0f} s")
        except (TemporaryFailure, MalformedPayload) as problem:
            wait = self._back_off(connection.id)
            report.errors.append(
                f"{connection.platform.value}: {problem.sentence} (next try in {wait:.0f} s)"
            )

    async def _expired(
        self, connection: ConnectionRow, expired: TokenExpired, report: PassReport
    ) -> None:
        await asyncio.to_thread(
            self._records.set_status, connection.id, ConnectionStatus.EXPIRED, expired.sentence
        )
        report.errors.append(expired.sentence)

    def _back_off(self, connection_id: str) -> float:
        """Exponential back-off with jitter after temporary failures: 2, 4, 8 … s,
        capped at 5 minutes, each scaled by a random 50–100 % so a team's apps
        do not retry in step."""
        failures = self._failures.get(connection_id, 0) + 1
        self._failures[connection_id] = failures
        wait = min(BACK_OFF_CAP, 2.0**failures) * random.uniform(0.5, 1.0)  # noqa: S311
        self._not_before[connection_id] = time.monotonic() + wait
        return wait

    # --- tokens -------------------------------------------------------------------------

    async def account(self, connection: ConnectionRow) -> Account | None:
        """What a client needs to act for the connection; None if this computer
        cannot open its token (said on the connection if the token is damaged)."""
        return await asyncio.to_thread(self._read_account, connection)

    def _read_account(self, connection: ConnectionRow) -> Account | None:
        try:
            access = self._records.access_token(connection)
        except TokenKeyMissing:
            # This computer lacks the team's key: leave the connection to the apps
            # that have it rather than marking it broken for everyone.
            return None
        except TokenUnreadable as unreadable:
            self._records.set_status(connection.id, ConnectionStatus.ERROR, unreadable.sentence)
            return None
        return Account(platform_user_id=connection.platform_user_id, access_token=access)

    async def refresh_if_due(
        self, connection: ConnectionRow, client: RefreshableClient, account: Account
    ) -> Account:
        """TikTok: a fresh token if the stored one expires soon (one app of the
        team refreshes; store/connections.refresh_tokens_once)."""
        loop = asyncio.get_running_loop()

        def refresh_now(refresh_token: SecretToken, app: AppCredentials | None) -> FreshTokens:
            # The network call runs on our loop; this thread holds the row lock meanwhile.
            key = AppKey(app.app_id, app.app_secret) if app is not None else None
            future = asyncio.run_coroutine_threadsafe(client.refresh(refresh_token, key), loop)
            grant = future.result(timeout=60)
            return FreshTokens(grant.access_token, grant.refresh_token, grant.expires_in)

        fresh = await asyncio.to_thread(
            partial(
                self._records.refresh_tokens,
                connection,
                now=self._clock(),
                margin=REFRESH_MARGIN,
                refresh=refresh_now,
            )
        )
        if fresh is None:
            return account
        return Account(platform_user_id=connection.platform_user_id, access_token=fresh)
