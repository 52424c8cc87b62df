"""Moving everything from one SNORQ database into another (the built-in one
into a team's shared server).

The rule, and why: the copy keeps every id, so the moved rows keep pointing at
each other.  It goes into the target in ONE transaction with every table
locked against writes (readers carry on), so the target either gets all of it
or nothing: a failure or a refusal halfway leaves it exactly as it was, and
the move can simply be started again.  Rows the target already has are never
merged with ours: the first clash on any unique key (the same user or
organisation id, the same e-mail, the same organisation address, the same
webhook) stops the move with a sentence naming it.  Merging two histories of
one person or one shop would have to renumber ids and pick winners between
two versions of a conversation; that is not something to do behind the user's
back.  Other organisations already on the target are left as they are.

Tables go in foreign-key order (the ORM metadata's, so a table added by a
later migration is moved too); each in keyset batches of binary COPY from a
single REPEATABLE READ snapshot of the source, so progress is counted in rows
and the source is read as of one moment.  At the end, per table, the rows the
source had, the rows COPY wrote and the target's growth must all agree, or
the transaction is rolled back.
"""

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import psycopg.errors
from psycopg import sql
from sqlalchemy import Connection, Engine, Table

from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.team_database import TableCount, TransferReport
from snorq_desktop.store.migrate import require_current_schema
from snorq_desktop.store.models import Base

# Rows per COPY batch: big enough that per-batch overhead vanishes, small
# enough that the progress bar moves smoothly.
BATCH_ROWS = 5000
LOCK_TIMEOUT = "10s"

Progress = Callable[[int, int], None]  # rows copied so far, rows in all


class TransferRefused(KnownError):
    """The move cannot be done as asked; nothing was written."""


# Tables the target fills itself as the rows arrive: the analytics rollup's
# queue of changed conversations (its trigger on messages queues every one),
# and the sidebar's kept counts (the triggers on conversations count every one:
# the views', and Mine / Unassigned's).
_REBUILT_BY_TARGET = {"analytics_pending", "inbox_count_changes", "assignment_count_changes"}


def tables_in_order() -> list[Table]:
    """Every table of the schema to copy, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in _REBUILT_BY_TARGET]


def move_everything(
    source: Engine, target: Engine, progress: Progress | None = None
) -> TransferReport:
    """Copy all rows of ``source`` into ``target`` (see the module's rule).

    Raises :class:`TransferRefused` (or the schema's own errors) with nothing
    written to the target.  ``progress`` is called after every batch; an
    exception from it aborts the move, also with nothing written.
    """
    started = time.monotonic()
    require_current_schema(source)
    try:
        require_current_schema(target)
    except KnownError as not_ready:
        raise TransferRefused(
            f"The team database is not ready for this data: {not_ready.sentence}"
        ) from None
    tables = tables_in_order()
    with _snapshot(source) as reader, _locked(target, tables) as writer:
        totals = {table.name: _count(reader, table.name) for table in tables}
        total = sum(totals.values())
        if total == 0:
            raise TransferRefused("The built-in database holds nothing to move.")
        counts: list[TableCount] = []
        done = 0
        for table in tables:
            before = _count(writer, table.name)
            rebuild = _set_indexes_aside(writer, table.name) if before == 0 else []
            copied = 0
            for low, high in _batches(reader, table):
                written = _copy_batch(reader, writer, table, low, high)
                copied += written
                done += written
                if progress is not None:
                    progress(done, total)
            for definition in rebuild:
                writer.execute(definition)
            after = _count(writer, table.name)
            counts.append(TableCount(table.name, totals[table.name], copied, after - before))
        wrong = [count for count in counts if not count.agrees]
        if wrong:
            first = wrong[0]
            raise TransferRefused(
                f"The copy of {first.table} does not add up (source {first.source_rows} rows, "
                f"copied {first.copied_rows}, team database grew by {first.target_growth}); "
                "nothing was kept. Try again."
            )
        writer.commit()
    return TransferReport(tuple(counts), time.monotonic() - started)


@contextmanager
def _snapshot(source: Engine) -> Iterator[psycopg.Connection]:
    """A raw connection reading the source as of one moment."""
    with source.connect() as connection:
        raw = _raw(connection)
        # The first statement of the transaction psycopg opens: one snapshot for every table.
        raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            yield raw
        finally:
            raw.rollback()


@contextmanager
def _locked(target: Engine, tables: list[Table]) -> Iterator[psycopg.Connection]:
    """A raw connection in one transaction that holds every table against writes;
    rolled back unless the caller committed."""
    with target.connect() as connection:
        raw = _raw(connection)
        try:
            raw.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
            # Rebuilding the set-aside indexes sorts in memory rather than on disk.
            raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Foreign-key checks reuse one plan instead of planning each row.
            raw.execute("SET LOCAL plan_cache_mode = auto")
            raw.execute(
                sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(
                    sql.SQL(", ").join(sql.Identifier(t.name) for t in tables)
                )
            )
        except psycopg.errors.LockNotAvailable:
            raw.rollback()
            raise TransferRefused(
                "The team database is busy (a teammate's app is writing to it); "
                "try again in a moment."
            ) from None
        try:
            yield raw
        except psycopg.errors.UniqueViolation as clash:
            raise _refusal(clash) from None
        finally:
            raw.rollback()  # a no-op after the caller's commit


def _raw(connection: Connection) -> psycopg.Connection:
    raw = connection.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    raw.rollback()  # start clean whatever the pool left
    return raw


def _count(connection: psycopg.Connection, table: str) -> int:
    row = connection.execute(
        sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
    ).fetchone()
    assert row is not None
    return int(row[0])


def _set_indexes_aside(writer: psycopg.Connection, table: str) -> list[sql.SQL]:
    """Drop an empty table's plain indexes for the load; what rebuilds them after.

    Building an index once over loaded rows is several times faster than
    updating it row by row (the full-text GIN indexes most of all).  It all
    happens inside the move's transaction: a failure brings them back as they
    were.  Indexes behind keys and unique rules stay, so clashes are caught.
    A login that may not drop them (not the tables' owner) just loads slower.
    """
    found = writer.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = to_regclass(%s) AND NOT i.indisunique AND NOT i.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
        (table,),
    ).fetchall()
    try:
        with writer.transaction():  # a savepoint
            for name, _ in found:
                writer.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege:
        return []
    return [sql.SQL(definition) for _, definition in found]


def _single_key(table: Table) -> str | None:
    keys = list(table.primary_key.columns)
    return keys[0].name if len(keys) == 1 else None


def _batches(reader: psycopg.Connection, table: Table) -> list[tuple[object, object]]:
    """Key ranges (low exclusive, high inclusive; None = open) of about BATCH_ROWS rows."""
    key = _single_key(table)
    if key is None:
        return [(None, None)]
    rows = reader.execute(
        sql.SQL(
            "SELECT k FROM (SELECT {key} AS k, row_number() OVER (ORDER BY {key}) AS n "
            "FROM {table}) numbered WHERE n % {size} = 0 ORDER BY k"
        ).format(
            key=sql.Identifier(key), table=sql.Identifier(table.name), size=sql.Literal(BATCH_ROWS)
        )
    ).fetchall()
    edges: list[object] = [None, *(row[0] for row in rows), None]
    return list(itertools.pairwise(edges))


# Columns the target database fills itself: conversations.labels is rebuilt by
# its triggers from conversation_labels (copied later, in foreign-key order),
# and refuses to be written directly.
_FILLED_BY_TARGET = {("conversations", "labels"): sql.SQL("'{}'::text[]")}


def _source_column(table: Table, column: str) -> sql.Composable:
    return _FILLED_BY_TARGET.get((table.name, column), sql.Identifier(column))


def _copy_batch(
    reader: psycopg.Connection,
    writer: psycopg.Connection,
    table: Table,
    low: object,
    high: object,
) -> int:
    columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    key = _single_key(table)
    conditions: list[sql.Composable] = []
    if key is not None and low is not None:
        conditions.append(sql.SQL("{} > {}").format(sql.Identifier(key), sql.Literal(low)))
    if key is not None and high is not None:
        conditions.append(sql.SQL("{} <= {}").format(sql.Identifier(key), sql.Literal(high)))
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("")
    selected = sql.SQL(", ").join(_source_column(table, c.name) for c in table.columns)
    out = sql.SQL("COPY (SELECT {} FROM {}{}) TO STDOUT (FORMAT BINARY)").format(
        selected, sql.Identifier(table.name), where
    )
    into = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table.name), columns
    )
    with reader.cursor() as read, writer.cursor() as write:
        with read.copy(out) as outgoing, write.copy(into) as incoming:
            for block in outgoing:
                incoming.write(block)
        return write.rowcount


def _refusal(clash: psycopg.errors.UniqueViolation) -> TransferRefused:
    table = clash.diag.table_name or "a table"
    constraint = clash.diag.constraint_name or ""
    detail = (clash.diag.message_detail or "").removeprefix("Key ").rstrip(".")
    detail = detail.replace(" already exists", "")
    if constraint.endswith("_pkey") and table in ("users", "organizations"):
        return TransferRefused(
            "The team database already holds this data (it may have been moved there "
            "before); nothing was copied. Use that database as it is instead."
        )
    return TransferRefused(
        f"The team database already has a row in {table} with {detail}; moving would mix "
        "two histories of the same people or shop, which SNORQ Desktop never does. Nothing "
        "was copied: move into a team database without them, or join that team instead."
    )
