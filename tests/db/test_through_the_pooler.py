"""The store through PgBouncer in transaction mode: each transaction may get a
different server connection, so nothing may live on a session."""

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.store.compiled_reads import fetch
from snorq_desktop.store.database import create_database_engine
from tests.pooler import pgbouncer_in_front_of


@pytest.fixture
def pooled_url(database_url: URL) -> Iterator[URL]:
    with pgbouncer_in_front_of(database_url) as url:
        yield url


def test_many_apps_run_the_same_queries_through_the_pooler(pooled_url):
    """psycopg prepares a statement on its fifth run; through a transaction pooler
    the next run may land on a server connection that never saw it
    ('prepared statement "_pg3_0" does not exist')."""
    engines = [create_database_engine(pooled_url) for _ in range(3)]
    problems: list[BaseException] = []

    def work(engine_index: int) -> None:
        try:
            for round_ in range(40):
                with engines[engine_index].begin() as connection:
                    connection.execute(
                        text("SELECT count(*) FROM conversations WHERE organization_id = :o"),
                        {"o": f"org-{round_}"},
                    )
        except BaseException as error:
            problems.append(error)

    threads = [threading.Thread(target=work, args=(i % 3,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert problems == []


def _other_clients_open_server_connections(url: URL, count: int) -> None:
    """Several transactions at once from another client make PgBouncer open
    server connections that never saw SNORQ's settings."""
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    clients = [psycopg.connect(conninfo) for _ in range(count)]
    for client in clients:
        client.execute("SELECT 1")  # each holds its own server connection until commit
    for client in clients:
        client.commit()
        client.close()


def test_every_transaction_gets_the_app_settings_whatever_server_connection(pooled_url):
    _other_clients_open_server_connections(pooled_url, 6)
    engine = create_database_engine(pooled_url)
    seen: list[tuple[str, ...]] = []

    def work() -> None:
        for _ in range(15):
            with engine.begin() as connection:
                row = connection.execute(
                    text(
                        "SELECT current_setting('jit'),"
                        " current_setting('max_parallel_workers_per_gather')"
                    )
                ).one()
                seen.append((row[0], row[1]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert set(seen) == {("off", "0")}


def _window_reads(engine: Engine) -> sessionmaker[Session]:
    """The window's reads, as InboxService makes them: autocommit sessions."""
    return sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


_SETTINGS_SEEN = text(
    "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
)


def test_the_windows_reads_run_with_the_app_settings_whatever_server_connection(pooled_url):
    """A read outside a transaction once sent the settings as a statement of
    their own, which they did not outlive: the read itself ran with JIT on."""
    _other_clients_open_server_connections(pooled_url, 6)
    engine = create_database_engine(pooled_url)
    reads = _window_reads(engine)
    seen: list[tuple[Any, ...]] = []

    def work() -> None:
        for round_ in range(15):
            with reads() as session:
                seen.extend(fetch(session, ("settings seen", round_), lambda: _SETTINGS_SEEN, {}))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert set(seen) == {("off", "0")}
    assert len(seen) == 60


def test_a_failed_read_leaves_its_connection_ready_for_the_next(database_url):
    engine = create_database_engine(database_url, application_name="one-connection")
    engine.pool.dispose()
    reads = _window_reads(engine)
    with reads() as session:
        with pytest.raises(psycopg.errors.DivisionByZero):
            fetch(session, ("fails",), lambda: text("SELECT 1 / 0"), {})
        # the same connection, no transaction left open and aborted
        assert fetch(session, ("settings seen", "after"), lambda: _SETTINGS_SEEN, {}) == [
            ("off", "0")
        ]
    with reads() as session:
        assert fetch(session, ("settings seen", "after"), lambda: _SETTINGS_SEEN, {}) == [
            ("off", "0")
        ]
    engine.dispose()
