"""The window's hottest reads, compiled once per shape and run on the session's
own psycopg connection."""

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from snorq_desktop.store.database import APP_SETTINGS_SQL

# Each shape of statement (a view, a plan, paging or not) is built and compiled
# once: building and compiling a select costs more than running it.
_COMPILED: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}
E = TypeVar("E", bound=StrEnum)
# The window's hottest reads take a plain connection (services/inbox.py): an ORM
# session around a read cost about 100 µs, a fifth of an inbox page; the rest
# of the reads, and every write, take a session.
Reads = Session | Connection


def members(kind: type[E]) -> dict[str, E]:
    """An enum's members by value, for the text a raw row holds: a dict look-up
    costs a tenth of calling the enum (3 µs), times three a row, 100 rows a page."""
    return {member.value: member for member in kind}


def fetch(
    session: Reads, shape: tuple[Any, ...], build: Callable[[], Any], values: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """Run a cached statement on the session's (or connection's) own psycopg
    connection (same transaction), rows as plain tuples: no SQL built, no ORM
    rows per call."""
    connection = session.connection() if isinstance(session, Session) else session
    cached = _COMPILED.get(shape)
    if cached is None:
        compiled = build().compile(dialect=connection.dialect)
        cached = (compiled.string, dict(compiled.params))
        _COMPILED[shape] = cached
    sql, constants = cached
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    parameters = {**constants, **values}
    if driver.autocommit and driver.info.transaction_status == TransactionStatus.IDLE:
        return _in_one_round_trip(driver, sql, parameters)
    return _rows(driver.execute(sql, parameters))


def _in_one_round_trip(
    driver: psycopg.Connection[Any], sql: str, parameters: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """A read outside any transaction (the window's reads are autocommit), sent
    with the app's settings as one query string: its statements run in one
    implicit transaction, each planned after the one before it ran, so the
    settings hold for the read and lapse after it (nothing outlives it to meet
    another app through a pooler, nothing is prepared on the server), for one
    round trip, where a round trip each cost more than the read.  The values
    are bound by psycopg on this side (a query string of several statements
    takes no separate parameters); a failed read ends its implicit transaction."""
    cursor = psycopg.ClientCursor(driver)
    cursor.execute(f"{APP_SETTINGS_SQL}; {sql}", parameters)
    cursor.nextset()
    return _rows(cursor)


def _rows(cursor: psycopg.Cursor[Any]) -> list[tuple[Any, ...]]:
    """The rows of the statement run, none for one that returns none (a write);
    told by its result's status: ``cursor.description`` builds a column object
    for each of a thread's 25 columns on every read."""
    result = cursor.pgresult
    if result is None or result.status != ExecStatus.TUPLES_OK:
        return []
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def explain(
    session: Session,
    shape: tuple[Any, ...],
    build: Callable[[], Any],
    values: dict[str, Any],
    *,
    analyze: bool = False,
) -> dict[str, Any]:
    """PostgreSQL's plan of the statement :func:`fetch` would run (the same SQL,
    as the session's login), as its JSON tree: what the benchmarks print and
    the tests assert on (which node reads what), never a time."""
    connection = session.connection()
    compiled = build().compile(dialect=connection.dialect)
    driver = connection.connection.driver_connection
    assert driver is not None
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    row = driver.execute(
        f"EXPLAIN ({options}) {compiled.string}", {**dict(compiled.params), **values}
    ).fetchone()
    assert row is not None
    plan: dict[str, Any] = row[0][0]
    return plan


def plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of an EXPLAIN tree, depth first."""
    node = plan.get("Plan", plan)
    found = [node]
    for child in node.get("Plans", []):
        found += plan_nodes(child)
    return found
