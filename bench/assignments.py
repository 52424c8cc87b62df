"""Who's on it (#17.2) on a big shop, each figure beside its baseline measured
in the same run, as a ratio, and the ratio beside its limit.

    python -m bench.assignments --database-url URL [--conversations 100000]

URL: an empty database migrated to this app's schema (``snorq-desktop db
upgrade``); the bench adds its own organisation (a tenth of the open
conversations assigned to each of two members) and deletes it afterwards.
"""

import argparse
from functools import partial

import psycopg
from sqlalchemy import text

from bench.dataset import conninfo
from bench.inbox import row, timed
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.store import assignments, inbox
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.unit_of_work import session_factory

ORG, MAYA, LEO = "bench-assign-org", "bench-assign-maya", "bench-assign-leo"
RECOUNT = (
    "SELECT coalesce(assignee_user_id, ''), count(*) FROM conversations "
    "WHERE organization_id = :org AND status = 'OPEN' GROUP BY 1"
)
BULK = "UPDATE conversations SET unread_count = unread_count + 1 WHERE organization_id = %s"
LIMITS = {"counts": 0.5, "mine page": 3.0, "unassigned page": 3.0, "bulk update": 1.5}


def _load(url: str, conversations: int) -> None:
    with psycopg.connect(conninfo(url), autocommit=True) as db:
        db.execute(
            "INSERT INTO users (id, email) VALUES (%s, 'maya@bench.example'), "
            "(%s, 'leo@bench.example')",
            (MAYA, LEO),
        )
        db.execute(
            "INSERT INTO organizations (id, name, slug, owner_id) VALUES (%s, 'b', %s, %s)",
            (ORG, ORG, MAYA),
        )
        db.execute(
            "INSERT INTO organization_members (id, organization_id, user_id, role) VALUES "
            "('bm1', %s, %s, 'OWNER'), ('bm2', %s, %s, 'MEMBER')",
            (ORG, MAYA, ORG, LEO),
        )
        db.execute(
            "INSERT INTO platform_connections (id, platform, platform_user_id, access_token, "
            "organization_id) VALUES ('bench-assign-conn', 'WHATSAPP', 'bench-assign', 't', %s)",
            (ORG,),
        )
        db.execute(
            """
            INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
                external_id, contact_external_id, last_message_at, assignee_user_id)
            SELECT 'bac' || n, %(org)s, 'bench-assign-conn', 'WHATSAPP', 'e' || n, 'x' || n,
                   now() - n * interval '1 minute',
                   CASE n %% 10 WHEN 0 THEN %(maya)s WHEN 1 THEN %(leo)s END
            FROM generate_series(1, %(n)s) AS n
            """,
            {"org": ORG, "maya": MAYA, "leo": LEO, "n": conversations},
        )
        db.execute("ANALYZE conversations")


def _bulk(url: str, with_trigger: bool) -> float:
    """One UPDATE of every conversation (mark all unread), with or without the
    assignment counts' trigger (milliseconds; rolled back)."""
    with psycopg.connect(conninfo(url)) as db:
        if not with_trigger:
            db.execute("ALTER TABLE conversations DISABLE TRIGGER conversations_assignments_update")

        def update() -> None:
            with db.transaction(force_rollback=True):
                db.execute(BULK, (ORG,))

        spent = timed(update, runs=3)
        db.rollback()
        return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--conversations", type=int, default=100_000)
    options = parser.parse_args()
    url = options.database_url
    _load(url, options.conversations)
    engine = create_database_engine(parse_database_url(url))
    sessions = session_factory(engine)
    ratios: dict[str, float] = {}
    try:
        with sessions() as session:
            kept = timed(lambda: assignments.view_counts(session, ORG, MAYA))
            recount = timed(lambda: session.execute(text(RECOUNT), {"org": ORG}).all())
            row("Mine + Unassigned counts (kept)", kept, recount, "recount of the inbox")
            ratios["counts"] = kept / recount
            every = timed(lambda: inbox.inbox_page(session, ORG, InboxQuery(me=MAYA)))
            for name, view in (
                ("mine page", InboxView.MINE),
                ("unassigned page", InboxView.UNASSIGNED),
            ):
                page = timed(partial(inbox.inbox_page, session, ORG, InboxQuery(view, me=MAYA)))
                row(f"{view.value} page 1 (100 rows)", page, every, "All page 1")
                ratios[name] = page / every
        with_trigger, without = _bulk(url, True), _bulk(url, False)
        row("UPDATE of every conversation", with_trigger, without, "without the counts trigger")
        ratios["bulk update"] = with_trigger / without
    finally:
        with psycopg.connect(conninfo(url), autocommit=True) as db:
            db.execute("DELETE FROM organizations WHERE id = %s", (ORG,))
            db.execute("DELETE FROM users WHERE id = ANY(%s)", ([MAYA, LEO],))
        engine.dispose()
    for name, ratio in ratios.items():
        verdict = "ok" if ratio <= LIMITS[name] else "OVER"
        print(f"{name:20s} ratio {ratio:6.2f}x   limit {LIMITS[name]:4.1f}x   {verdict}")


if __name__ == "__main__":
    main()
