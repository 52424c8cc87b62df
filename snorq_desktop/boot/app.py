"""The composition root: builds the objects the app runs on and hands them down.

Nothing below this module knows where settings come from or which database
is used; they receive an engine, a session factory and a cipher.
"""

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.team_database import TeamDatabase
from snorq_desktop.platforms.client import PlatformClient
from snorq_desktop.platforms.messenger_api import MessengerClient
from snorq_desktop.platforms.meta_api import DEFAULT_GRAPH_URL
from snorq_desktop.platforms.tiktok_api import DEFAULT_TIKTOK_URL, TikTokClient
from snorq_desktop.platforms.whatsapp_api import WhatsAppClient
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.database_passwords import (
    DatabasePasswords,
    Login,
    open_database_passwords,
)
from snorq_desktop.secrets.keys import KeyStore, load_or_create, open_key_store
from snorq_desktop.services.worker import DatabaseWorker
from snorq_desktop.store.connections import reseal_all_tokens
from snorq_desktop.store.database import (
    connect_checked,
    create_database_engine,
    describe,
    parse_database_url,
)
from snorq_desktop.store.embedded import EmbeddedServer
from snorq_desktop.store.migrate import require_current_schema, upgrade_schema
from snorq_desktop.store.team_address import team_database_url
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.engine import PassReport, SyncEngine
from snorq_desktop.sync.forever import sync_forever
from snorq_desktop.sync.webhook_sender import WebhookSender

log = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 30.0


@dataclass
class Plumbing:
    """What the app works through, made once here and handed down: the one worker
    (the database lane and the long lane) and the HTTP clients.

    Two clients, one per kind of caller: ``http`` serves code that waits on a
    worker thread (contact pictures, platform logins, the Connections page,
    Google sign-in, all synchronous); ``loop_http`` serves the platform clients
    the sync engine awaits on the asyncio loop.  httpx's AsyncClient cannot be
    used from those threads, nor its Client awaited on the loop.
    """

    worker: DatabaseWorker
    http: httpx.Client
    loop_http: httpx.AsyncClient

    def close(self) -> None:
        """Ends the worker and the threads' client.  ``loop_http`` is closed on its
        loop, by whoever awaited it (:meth:`aclose`)."""
        self.worker.shutdown()
        self.http.close()

    async def aclose(self) -> None:
        await self.loop_http.aclose()


def open_plumbing() -> Plumbing:
    """The one place the app makes its worker and its HTTP clients."""
    return Plumbing(
        DatabaseWorker(),
        httpx.Client(timeout=HTTP_TIMEOUT_SECONDS),
        httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS),
    )


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    where: str  # for messages: "the built-in database" or host:port/name
    embedded: bool


@contextmanager
def open_database(
    settings: Settings, paths: AppPaths, *, migrate: bool, check_schema: bool = True
) -> Iterator[Database]:
    """The configured team database, or the built-in one (started, and stopped on exit).

    ``migrate``: bring the schema up to date first.  The built-in database is
    always migrated; a team database only when asked (``db upgrade``), since
    every member's app shares it.  ``check_schema=False`` only for ``db status``.
    """
    if settings.database_url:
        url = with_saved_password(parse_database_url(settings.database_url), settings, paths)
        engine = connect_checked(url)
        try:
            if migrate:
                upgrade_schema(engine)
            elif check_schema:
                require_current_schema(engine)
            yield Database(engine, session_factory(engine), describe(url), embedded=False)
        finally:
            engine.dispose()
        return
    server = EmbeddedServer(paths.database_cluster)
    url = server.start()
    try:
        engine = connect_checked(url)
        try:
            if migrate or check_schema:
                upgrade_schema(engine)
            yield Database(engine, session_factory(engine), "the built-in database", embedded=True)
        finally:
            engine.dispose()
    finally:
        server.release()


def database_passwords(settings: Settings, paths: AppPaths) -> DatabasePasswords:
    return open_database_passwords(paths.database_pass_file, allow_key_file=settings.allow_key_file)


def _login(url: URL) -> Login:
    return Login(url.host or "localhost", url.port or 5432, url.database or "", url.username or "")


def with_saved_password(url: URL, settings: Settings, paths: AppPaths) -> URL:
    """A team database URL saved without its password gets it from the keychain."""
    if url.password is not None:
        return url
    try:
        password = database_passwords(settings, paths).load(_login(url))
    except KnownError as missing:
        # No keychain: libpq may still find a password of its own (~/.pgpass).
        log.warning("the database password cannot be looked up: %s", missing.sentence)
        return url
    return url.set(password=password.reveal()) if password is not None else url


def remember_team_database(settings: Settings, paths: AppPaths, address: TeamDatabase) -> None:
    """From the next start the app uses ``address``: its URL in settings.json, its
    password in the keychain (or the allowed pass file), never in the settings."""
    url = team_database_url(address, with_password=False)
    passwords = database_passwords(settings, paths)
    if address.password is not None:
        passwords.save(_login(url), address.password)
    else:
        passwords.forget(_login(url))
    saved = Settings.load_file(paths.settings_file)
    saved = replace(
        saved,
        database_url=url.set(drivername="postgresql").render_as_string(hide_password=False),
    )
    saved.save(paths.settings_file)
    log.info("the app will use the team database at %s", address.where)


def token_key_store(settings: Settings, paths: AppPaths) -> KeyStore:
    return open_key_store(paths.key_file, allow_key_file=settings.allow_key_file)


def token_cipher(store: KeyStore) -> TokenCipher:
    return TokenCipher(load_or_create(store))


@dataclass(frozen=True)
class RotationResult:
    new_version: int
    connections: int


def rotate_token_key(
    database: Database, store: KeyStore, organization_ids: Collection[str] | None = None
) -> RotationResult:
    """A new key seals every stored token (of ``organization_ids`` only, when
    given: the signed-in person's); the old keys are dropped only after.

    Crash-safe in each step: the new key is saved (beside the old ones) before
    any token uses it, and the old ones are forgotten only once every token is
    resealed and committed.
    """
    keys = load_or_create(store).with_new_key()
    store.save(keys)
    cipher = TokenCipher(keys)
    with unit_of_work(database.sessions) as session:
        count = reseal_all_tokens(session, cipher.reseal, organization_ids)
    store.save(keys.only_current())
    log.info("token key rotated to k%d; %d connections resealed", keys.current, count)
    return RotationResult(new_version=keys.current, connections=count)


def platform_clients(
    http: httpx.AsyncClient, graph_url: str | None = None, tiktok_url: str | None = None
) -> dict[Platform, PlatformClient]:
    """The three clients on one shared HTTP client.  Base URLs can point at the
    local fakes (the demo; or SNORQ_GRAPH_URL and SNORQ_TIKTOK_URL)."""
    graph = graph_url or os.environ.get("SNORQ_GRAPH_URL", DEFAULT_GRAPH_URL)
    tiktok = tiktok_url or os.environ.get("SNORQ_TIKTOK_URL", DEFAULT_TIKTOK_URL)
    return {
        Platform.WHATSAPP: WhatsAppClient(http, graph),
        Platform.FACEBOOK: MessengerClient(http, graph),
        Platform.TIKTOK: TikTokClient(http, tiktok),
    }


def optional_cipher(settings: Settings, paths: AppPaths) -> TokenCipher | None:
    """The token cipher, or None when this computer has no key (said in the log)."""
    try:
        return token_cipher(token_key_store(settings, paths))
    except KnownError as missing:
        log.warning("platform tokens cannot be opened here: %s", missing.sentence)
        return None


def run_sync_pass(database: Database, settings: Settings, paths: AppPaths) -> PassReport:
    """One pass of the sync engine: webhooks received, every active connection's
    new messages and its outbox."""
    plumbing = open_plumbing()

    async def one_pass() -> PassReport:
        try:
            engine = SyncEngine(
                database.engine,
                database.sessions,
                optional_cipher(settings, paths),
                platform_clients(plumbing.loop_http),
            )
            return await engine.pass_once()
        finally:
            await plumbing.aclose()

    try:
        return asyncio.run(one_pass())
    finally:
        plumbing.close()


def run_sync_forever(
    database: Database,
    settings: Settings,
    paths: AppPaths,
    *,
    every: float,
    after_pass: Callable[[PassReport], None],
) -> int:
    """Sync passes until SIGTERM or Ctrl+C: the server's headless sender."""
    plumbing = open_plumbing()

    async def passes() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
                loop.add_signal_handler(signal_number, stop.set)
        try:
            cipher = optional_cipher(settings, paths)
            engine = SyncEngine(
                database.engine,
                database.sessions,
                cipher,
                platform_clients(plumbing.loop_http),
                origin="server",
            )
            webhooks = None
            if cipher is not None:  # the webhooks' secrets are sealed with the token key
                webhooks = WebhookSender(database.sessions, cipher, plumbing.loop_http)
            return await sync_forever(
                engine, every=every, stop=stop, after_pass=after_pass, webhooks=webhooks
            )
        finally:
            await plumbing.aclose()

    try:
        return asyncio.run(passes())
    finally:
        plumbing.close()


API_LOGIN = "snorq_api"


@contextmanager
def api_login(raw_url: str | None) -> Iterator[sessionmaker[Session] | None]:
    """Sessions of the REST API's own login (None: no API is served).  Refused
    unless it is ``snorq_api`` and under row-level security: the API never
    works as a superuser or a member's login."""
    if not raw_url:
        yield None
        return
    engine = create_database_engine(parse_database_url(raw_url), application_name="snorq-api")
    try:
        try:
            with engine.connect() as connection:
                who, bypasses = connection.execute(
                    text(
                        "SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles "
                        "WHERE rolname = current_user"
                    )
                ).one()
        except DBAPIError as error:
            raise KnownError(f"The API's database login could not connect: {error.orig}") from None
        if who != API_LOGIN or bypasses:
            raise KnownError(
                f"The API logs in as {API_LOGIN}, the login made for it (an administrator "
                f"gives it a password: ALTER ROLE {API_LOGIN} LOGIN PASSWORD '…'), not as "
                f"{who}: any other login would act outside the keys' organisations."
            )
        yield session_factory(engine)
    finally:
        engine.dispose()
