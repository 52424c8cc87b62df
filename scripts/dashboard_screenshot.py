"""Renders the README's dashboard screenshots (light and dark) over 30 days of a
made-up shop's conversations, in a throw-away database on a PostgreSQL server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/dashboard_screenshot.py \
        --server-url postgresql://USER:PASSWORD@HOST:PORT/postgres [OUT_DIR]
"""

import argparse
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from PySide6.QtWidgets import QApplication

from snorq_desktop.services.analytics import AnalyticsService
from snorq_desktop.services.worker import DatabaseWorker
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.ui.dashboard import DashboardWindow
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.theme import apply_theme

ORG = "cshotorganization00000000"


def fill(conninfo: str, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311 - made-up figures, not secrets
    now = datetime.now(UTC)
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute("INSERT INTO users (id, email, name) VALUES ('cshotowner', 'o@x', 'Maya')")
        db.execute(
            "INSERT INTO organizations (id, name, slug, owner_id, plan) "
            "VALUES (%s, 'Maya''s Handmade', 'maya', 'cshotowner', 'PRO')",
            (ORG,),
        )
        weights = {"WHATSAPP": 1.0, "FACEBOOK": 0.55, "TIKTOK": 0.8}
        for platform in weights:
            db.execute(
                "INSERT INTO platform_connections (id, organization_id, platform, "
                "platform_user_id, access_token) VALUES (%s, %s, %s, %s, 'sealed')",
                (f"cshot{platform}", ORG, platform, platform),
            )
        rows = []
        conversations = []
        n = 0
        for days_ago in range(34, -1, -1):
            day = (now - timedelta(days=days_ago)).replace(hour=0, minute=0, second=0)
            busy = 1.35 if day.weekday() >= 5 else 1.0  # weekend shoppers
            for platform, weight in weights.items():
                for _ in range(max(1, int(rng.gauss(9, 3) * weight * busy))):
                    n += 1
                    conversation = f"cshotconv{n:08d}"
                    start = day + timedelta(minutes=rng.randint(8 * 60, 22 * 60))
                    if start > now:
                        continue
                    conversations.append((conversation, ORG, f"cshot{platform}", platform, str(n)))
                    at = start
                    for _turn in range(rng.randint(1, 4)):
                        for _ in range(rng.randint(1, 3)):
                            rows.append((conversation, "INBOUND", at))
                            at += timedelta(seconds=rng.randint(10, 90))
                        wait = rng.lognormvariate(6.6 - 0.2 * (platform == "WHATSAPP"), 0.7)
                        at += timedelta(seconds=wait)
                        if at < now and rng.random() < 0.92:
                            rows.append((conversation, "OUTBOUND", at))
                        at += timedelta(minutes=rng.randint(2, 60))
        with db.cursor().copy(
            "COPY conversations (id, organization_id, platform_connection_id, platform, "
            "external_id, contact_external_id) FROM STDIN"
        ) as copy:
            for conversation in conversations:
                copy.write_row((*conversation, conversation[4]))
        with db.cursor().copy(
            "COPY messages (id, organization_id, conversation_id, direction, status, "
            "platform_timestamp) FROM STDIN"
        ) as copy:
            for index, (conversation, direction, at) in enumerate(rows):
                status = "DELIVERED" if direction == "INBOUND" else "READ"
                copy.write_row((f"cshotmsg{index:010d}", ORG, conversation, direction, status, at))


def settle(app: QApplication, done, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if done():
            return
        time.sleep(0.01)
    raise TimeoutError("the dashboard did not settle")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("out", nargs="?", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server = parse_database_url(args.server_url)
    name = f"snorq_shots_{secrets.token_hex(4)}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = server.set(database=name)
    engine = create_database_engine(url)
    try:
        upgrade_schema(engine)
        fill(url.set(drivername="postgresql").render_as_string(hide_password=False))
        app = QApplication.instance() or QApplication([])
        assert isinstance(app, QApplication)
        worker = DatabaseWorker()
        runner = TaskRunner(worker)
        window = DashboardWindow(
            AnalyticsService(engine, session_factory(engine), lambda: ORG), runner
        )
        window.resize(1200, 820)
        for theme, dark in (("light", False), ("dark", True)):
            apply_theme(app, dark=dark)
            window.show()
            settle(app, lambda: window.board is not None and runner.pending == 0)
            settle(app, lambda: True, 0.3)
            target = out / ("dashboard.png" if theme == "light" else "dashboard-dark.png")
            window.grab().save(str(target))
            print(f"wrote {target}")
        runner.stop()
        worker.shutdown()
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
