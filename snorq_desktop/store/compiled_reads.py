"""The window's hottest reads, compiled once per shape and run on the session's
own psycopg connection."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

# Each shape of statement (a view, a plan, paging or not) is built and compiled
# once: building and compiling a select costs more than running it.
_COMPILED: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}


def fetch(
    session: Session, shape: tuple[Any, ...], build: Callable[[], Any], values: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """Run a cached statement on the session's own psycopg connection (same
    transaction), rows as plain tuples: no SQL built, no ORM rows per call."""
    connection = session.connection()
    cached = _COMPILED.get(shape)
    if cached is None:
        compiled = build().compile(dialect=connection.dialect)
        cached = (compiled.string, dict(compiled.params))
        _COMPILED[shape] = cached
    sql, constants = cached
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.execute(sql, {**constants, **values})
    rows: list[tuple[Any, ...]] = cursor.fetchall() if cursor.description else []
    return rows
