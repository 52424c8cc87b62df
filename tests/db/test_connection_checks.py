"""Pooled connections are tested only after they sat idle: a burst of reads
costs no extra round trips, and a connection the server dropped while idle is
replaced without the caller seeing an error."""

import psycopg
from sqlalchemy import text

from snorq_desktop.store import database
from snorq_desktop.store.database import create_database_engine


def _pings(monkeypatch) -> list[str]:
    seen: list[str] = []
    execute = psycopg.Cursor.execute

    def record(cursor, query, *args, **kwargs):
        if str(query).strip().upper() == "SELECT 1":
            seen.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", record)
    return seen


def test_a_burst_of_reads_pings_nobody(database_url, monkeypatch):
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        connection.execute(text("SELECT 2"))
    pings = _pings(monkeypatch)
    for _ in range(5):
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 2")).scalar_one() == 2
    assert pings == []
    engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced(database_url, monkeypatch):
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = create_database_engine(database_url)
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    killer.dispose()
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
    pings = _pings(monkeypatch)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend
    assert len(pings) == 1
    engine.dispose()
