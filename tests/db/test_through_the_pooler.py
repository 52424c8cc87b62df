"""The store through PgBouncer in transaction mode: each transaction may get a
different server connection, so nothing may live on a session."""

import threading
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

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
