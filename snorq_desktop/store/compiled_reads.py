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
