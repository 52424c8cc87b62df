"""Moving the built-in data into a team database: rows per second of the app's
move (one transaction, tables locked, keyset batches of binary COPY, counts
checked), beside two baselines on the same data:
- a bare binary COPY of each whole table (no batches, no checks: this
  machine's limit for moving these rows between two databases);
- row-by-row INSERTs, batched by psycopg's executemany (what a first version
  would do).

Creates its own databases on the server it is given (a superuser URL) and
drops them afterwards.

    python -m bench.team_move --server-url URL [--conversations 5000] [--messages 100000]
"""

import argparse
import secrets
import time

import psycopg
from psycopg import sql

from bench.dataset import conninfo, load
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.transfer import move_everything, tables_in_order


def make_database(server: str, name: str) -> str:
    with psycopg.connect(conninfo(server), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = parse_database_url(server).set(database=name)
    engine = create_database_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    return url.render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(conninfo(server), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def bare_copy(source: str, target: str) -> int:
    rows = 0
    with psycopg.connect(conninfo(source)) as src, psycopg.connect(conninfo(target)) as dst:
        for table in tables_in_order():
            columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
            name = sql.Identifier(table.name)
            with src.cursor() as read, dst.cursor() as write:
                with (
                    read.copy(
                        sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT (FORMAT BINARY)").format(
                            columns, name
                        )
                    ) as outgoing,
                    write.copy(
                        sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(name, columns)
                    ) as incoming,
                ):
                    for block in outgoing:
                        incoming.write(block)
                rows += write.rowcount
        dst.commit()
    return rows


def row_by_row(source: str, target: str) -> int:
    rows = 0
    with psycopg.connect(conninfo(source)) as src, psycopg.connect(conninfo(target)) as dst:
        for table in tables_in_order():
            names = [c.name for c in table.columns]
            columns = sql.SQL(", ").join(sql.Identifier(n) for n in names)
            found = src.execute(
                sql.SQL("SELECT {} FROM {}").format(columns, sql.Identifier(table.name))
            ).fetchall()
            with dst.cursor() as write:
                write.executemany(
                    sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                        sql.Identifier(table.name),
                        columns,
                        sql.SQL(", ").join(sql.Placeholder() * len(names)),
                    ),
                    found,
                )
            rows += len(found)
        dst.commit()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--conversations", type=int, default=5_000)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    run = secrets.token_hex(3)
    names = [f"bench_move_{kind}_{run}" for kind in ("source", "app", "copy", "rows")]
    try:
        source, app, bare, rows_target = (make_database(args.server_url, n) for n in names)
        load(source, args.conversations, args.messages)
        source_engine = create_database_engine(parse_database_url(source))
        app_engine = create_database_engine(parse_database_url(app))
        started = time.perf_counter()
        report = move_everything(source_engine, app_engine)
        ours = time.perf_counter() - started
        source_engine.dispose()
        app_engine.dispose()
        started = time.perf_counter()
        bare_rows = bare_copy(source, bare)
        limit = time.perf_counter() - started
        started = time.perf_counter()
        naive_rows = row_by_row(source, rows_target)
        naive = time.perf_counter() - started
        assert report.rows == bare_rows == naive_rows, (report.rows, bare_rows, naive_rows)
        assert all(count.agrees for count in report.tables)
        rows = report.rows
        print(
            f"{rows:,} rows ({args.conversations:,} conversations, {args.messages:,} messages), "
            "into an empty team database"
        )
        print(
            f"{'app move (checked, one transaction)':38s} {rows / ours:9,.0f} rows/s  {ours:6.2f} s"
        )
        print(
            f"{'bare binary COPY, whole tables':38s} {rows / limit:9,.0f} rows/s  "
            f"app reaches {limit / ours:4.2f} of it"
        )
        print(
            f"{'row-by-row INSERT (executemany)':38s} {rows / naive:9,.0f} rows/s  "
            f"app is {naive / ours:4.1f}x faster"
        )
    finally:
        for name in names:
            drop_database(args.server_url, name)


if __name__ == "__main__":
    main()
