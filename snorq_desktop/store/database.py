"""Opening a PostgreSQL database, with one clear sentence for every way it fails."""

import re
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError

from snorq_desktop.domain.errors import DatabaseUnavailable, InvalidDatabaseUrl

CONNECT_TIMEOUT_SECONDS = 5
_EXAMPLE = "postgresql://user:password@host:5432/database"


def parse_database_url(raw: str) -> URL:
    """Accept ``postgresql://`` / ``postgres://`` URLs and pin the psycopg 3 driver."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise InvalidDatabaseUrl(
            f"The database address is not a URL; expected something like {_EXAMPLE}."
        ) from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise InvalidDatabaseUrl(
            f"The database address must be a PostgreSQL URL like {_EXAMPLE}, "
            f"not {url.get_backend_name()}://…."
        )
    if not url.database:
        raise InvalidDatabaseUrl(
            f"The database address names no database; expected something like {_EXAMPLE}."
        )
    return url.set(drivername="postgresql+psycopg")


def describe(url: URL) -> str:
    """Where a URL points, for messages: never its password."""
    host = url.host or "localhost"
    port = url.port or 5432
    return f"{host}:{port}/{url.database}"


def explain_connection_failure(url: URL, error: BaseException) -> DatabaseUnavailable:
    """Turn psycopg's connection error into the sentence a user can act on."""
    detail = str(getattr(error, "orig", None) or error)
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    user = url.username or "(default user)"
    rules: list[tuple[str, str]] = [
        (
            r"password authentication failed",
            f"The database at {where} refused user '{user}': the password is wrong.",
        ),
        (
            r"no password supplied|fe_sendauth",
            f"The database at {where} wants a password for "
            f"user '{user}', and the address gives none.",
        ),
        (
            r"database \".*\" does not exist",
            f"There is no database named '{url.database}' on {where}.",
        ),
        (r"role \".*\" does not exist", f"The database at {where} has no user named '{user}'."),
        (
            r"Connection refused",
            f"Nothing accepts connections at {where}: is the database "
            "server running, and is the port right?",
        ),
        (
            r"could not translate host name|Name or service not known|nodename nor servname|"
            r"failed to resolve host",
            f"The database host '{url.host}' could not be found.",
        ),
        (
            r"timeout expired|timed out",
            f"The database at {where} did not answer within {CONNECT_TIMEOUT_SECONDS} seconds.",
        ),
        (
            r"no pg_hba.conf entry",
            f"The database at {where} does not accept connections "
            f"from this computer for user '{user}' (see its pg_hba.conf).",
        ),
        (r"SSL|certificate", f"The secure connection to {where} failed: {_first_line(detail)}."),
        (
            r"too many clients|remaining connection slots",
            f"The database at {where} has no free connection slots right now.",
        ),
        (
            r"the database system is (starting up|shutting down)",
            f"The database at {where} is starting up or shutting down; try again in a moment.",
        ),
    ]
    for pattern, sentence in rules:
        if re.search(pattern, detail, re.IGNORECASE):
            return DatabaseUnavailable(sentence)
    return DatabaseUnavailable(
        f"Could not connect to the database at {where}: {_first_line(detail)}."
    )


def _first_line(detail: str) -> str:
    lines = [line.strip() for line in detail.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "unknown error").rstrip(".")


def create_database_engine(url: URL, *, application_name: str = "snorq-desktop") -> Engine:
    """An engine for ``url``; nothing is connected until first use.

    Nothing is left on a database session, so the same engine works straight
    to PostgreSQL and through a transaction-mode pooler (PgBouncer), where each
    transaction may run on another server connection."""
    engine = create_engine(
        url,
        pool_size=4,
        max_overflow=4,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": application_name,
            # No server-side prepared statements: psycopg prepares a query on its
            # fifth run, and through a pooler the sixth may land on a server
            # connection that never saw it.  Unprepared, every query is planned
            # with its own values, which is also what the search needs (a kept
            # generic plan once cost a search 25 ms of parallel start-up).
            "prepare_threshold": None,
        },
    )
    event.listen(engine, "begin", _settings_for_this_transaction)
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", _ping_after_idle)
    return engine


# A connection back in the pool for longer than this is tested before it is
# handed out again (a restarted server, a dropped network).  Not every time, as
# pool_pre_ping would: the window reads in bursts (scrolling, paging, typing a
# search) and a round trip per read costs more than the read.
PING_AFTER_IDLE_SECONDS = 2.0


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_after_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    autocommit = dbapi_connection.autocommit
    try:
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.autocommit = autocommit
    except Exception as error:
        # The pool drops this connection and hands out a new one.
        raise DisconnectionError(str(error)) from error


# The app's queries are small and index-driven: JIT compilation (15 ms) and
# parallel workers (several ms to start) only ever add latency to them.  Set for
# each transaction (is_local), never on the session, which a pooler shares.
APP_SETTINGS_SQL = (
    "SELECT set_config('jit', 'off', true),"
    " set_config('max_parallel_workers_per_gather', '0', true)"
)
_APP_SETTINGS = text(APP_SETTINGS_SQL)


def _settings_for_this_transaction(connection: Connection) -> None:
    # On an autocommit connection (the window's reads) a setting made for the
    # transaction would lapse with its own statement: a round trip for nothing.
    # Those reads send the settings with their statement instead
    # (store/compiled_reads.py).
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    connection.execute(_APP_SETTINGS)


def connect_checked(url: URL) -> Engine:
    """An engine whose database has answered once, or :class:`DatabaseUnavailable`."""
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        engine.dispose()
        raise explain_connection_failure(url, error) from None
    return engine


def listen_conninfo(main: URL, listen_url: str | None) -> str:
    """The libpq address the app LISTENs on: ``listen_url`` (a direct address past
    a transaction pooler, where LISTEN cannot work), else the main database URL.
    Whatever ``listen_url`` leaves out (the login, its password, the database)
    is the main URL's, so one setting serves every member of a team."""
    url = main
    if listen_url:
        try:
            given = make_url(listen_url.strip())
        except (ArgumentError, ValueError):
            raise InvalidDatabaseUrl(
                f"The listen address is not a URL; expected something like {_EXAMPLE}."
            ) from None
        if given.get_backend_name() not in ("postgresql", "postgres"):
            raise InvalidDatabaseUrl(
                f"The listen address must be a PostgreSQL URL like {_EXAMPLE}, "
                f"not {given.get_backend_name()}://…."
            )
        url = given.set(
            username=given.username or main.username,
            password=given.password if given.username else main.password,
            database=given.database or main.database,
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
