"""Start-up of the built-in database: first start and later starts, each to a
migrated, connected database, beside the raw limit (initdb / pg_ctl start and
one psycopg connection, with nothing of ours around them).

    python bench/startup.py [--runs 5]

Target (issue 2): a later start under 2 s.
"""

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from sqlalchemy import text

from snorq_desktop.store.database import connect_checked
from snorq_desktop.store.embedded import (
    EmbeddedServer,
    _free_port,
    _server_user,
    find_server_programs,
)
from snorq_desktop.store.migrate import upgrade_schema


def app_start(directory: Path) -> float:
    began = time.perf_counter()
    server = EmbeddedServer(directory)
    url = server.start()
    engine = connect_checked(url)
    upgrade_schema(engine)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    elapsed = time.perf_counter() - began
    engine.dispose()
    server.release()
    return elapsed


def raw_start(directory: Path, first: bool) -> float:
    programs = find_server_programs()
    user = _server_user()
    prefix = ["runuser", "-u", user, "--"] if user else []
    pgdata = directory / "pgdata"
    began = time.perf_counter()
    if first:
        pgdata.mkdir(parents=True)
        if user:
            subprocess.run(["chown", "-R", user, str(directory)], check=True)
        subprocess.run(
            [
                *prefix,
                str(programs / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                "raw",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
        )
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(programs / "pg_ctl"),
            "-D",
            str(pgdata),
            "-w",
            "-l",
            str(pgdata / "log"),
            "-o",
            f"-p {port} -k '' -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    with psycopg.connect(host="127.0.0.1", port=port, user="raw", dbname="postgres") as c:
        c.execute("SELECT 1")
    elapsed = time.perf_counter() - began
    subprocess.run(
        [*prefix, str(programs / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        check=True,
        capture_output=True,
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    root = Path(tempfile.mkdtemp(prefix="snorq-bench-", dir="/tmp"))
    root.chmod(0o755)
    firsts, raw_firsts, laters, raw_laters = [], [], [], []
    for n in range(runs):
        firsts.append(app_start(root / f"app{n}"))
        raw_firsts.append(raw_start(root / f"raw{n}", first=True))
    for _ in range(runs):
        laters.append(app_start(root / "app0"))
        raw_laters.append(raw_start(root / "raw0", first=False))
    print(f"PostgreSQL programs: {find_server_programs()}  (runs: {runs})")
    for name, ours, raw in (
        ("first start", firsts, raw_firsts),
        ("later start", laters, raw_laters),
    ):
        a, b = statistics.median(ours), statistics.median(raw)
        print(
            f"{name:12s} app {a * 1000:7.0f} ms   raw initdb/pg_ctl+connect {b * 1000:7.0f} ms"
            f"   ratio {a / b:4.2f}x"
        )
    subprocess.run(["rm", "-rf", str(root)], check=True)


if __name__ == "__main__":
    main()
