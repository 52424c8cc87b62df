"""Labels on a big shop (bench/dataset.py), each figure beside its baseline.

    python -m bench.labels --database-url URL [--baseline-tree DIR]

``--baseline-tree``: a checkout of the code before labels (e.g. ``git archive
<commit> | tar -x -C DIR``); the inbox's page 1 is then also timed through that
code's own query path, on the same database, for a before/after figure.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import psycopg
from sqlalchemy import text

from bench.dataset import ORGANIZATION, conninfo
from bench.inbox import row, timed
from snorq_desktop.domain.inbox import InboxPosition, InboxQuery
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store import labels as store
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.inbox_counts import view_counts
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work

PAGE_ONE = """
import sys, tempfile, time
from pathlib import Path
from snorq_desktop.domain.inbox import InboxQuery
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
engine = create_database_engine(parse_database_url(sys.argv[1]))
service = InboxService(session_factory(engine), ReplyJournal(Path(tempfile.mkdtemp()) / "j"))
service.identity()
for _ in range(20):
    service.inbox_page(InboxQuery(), None, 100)
samples = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    service.inbox_page(InboxQuery(), None, 100)
    samples.append((time.perf_counter() - started) * 1000)
samples.sort()
print(samples[len(samples) // 10])  # 10th percentile: what the code costs, not the load
"""

RAW_PAGE = (
    "SELECT c.id, c.platform, c.contact_name, c.last_message_preview, c.last_message_at, "
    "COALESCE(c.last_message_at, c.created_at) AS a, c.unread_count, c.status, p.status {extra} "
    "FROM conversations c JOIN platform_connections p ON p.id = c.platform_connection_id "
    "WHERE c.organization_id = %s AND c.status <> 'ARCHIVED' {where} "
    "ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, c.id DESC LIMIT 100"
)
IN_LABEL = (
    "AND EXISTS (SELECT 1 FROM conversation_labels cl "
    "WHERE cl.conversation_id = c.id AND cl.label_id = %s)"
)


def page_one_through(tree: Path, url: str, runs: int) -> float:
    """The inbox's page 1 through the code checked out at ``tree`` (10th percentile, ms)."""
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", PAGE_ONE, url, str(runs)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    return float(done.stdout.strip().splitlines()[-1])


def before_and_after(tree: Path | None, url: str, label: str) -> None:
    """Page 1 through this code and through the code before labels, in turns
    (the machine is shared: alternating keeps both under the same load)."""
    if tree is None:
        return
    # Both in a fresh process of their own: same interpreter state, same warm-up.
    here = Path(__file__).resolve().parent.parent
    ours, theirs = [], []
    for _ in range(5):
        ours.append(page_one_through(here, url, 300))
        theirs.append(page_one_through(tree, url, 300))
    row(label, min(ours), min(theirs), "same, code before labels")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--baseline-tree", type=Path)
    args = parser.parse_args()
    url = args.database_url
    engine = create_database_engine(parse_database_url(url))
    sessions = session_factory(engine)
    service = InboxService(sessions, ReplyJournal(Path(tempfile.mkdtemp()) / "j"))
    service.identity()
    with unit_of_work(sessions) as session:
        session.execute(text("DELETE FROM labels"))
    with psycopg.connect(conninfo(url), prepare_threshold=None, autocommit=True) as raw:
        ids = [
            r[0]
            for r in raw.execute(
                "SELECT id FROM conversations WHERE organization_id = %s ORDER BY id",
                (ORGANIZATION,),
            )
        ]
        print(f"{len(ids):,} conversations")
        page_app = timed(lambda: service.inbox_page(InboxQuery(), None, 100))
        page_raw = timed(lambda: raw.execute(RAW_PAGE.format(extra="", where=""), (ORGANIZATION,)))
        row("inbox page 1, no labels yet (app)", page_app, page_raw, "raw SQL keyset")
        before_and_after(args.baseline_tree, url, "inbox page 1, no labels (app)")

        common = [cid for n, cid in enumerate(ids) if n % 10 < 3]  # 30 %
        rare = ids[::1000]  # 0.1 %
        with unit_of_work(sessions) as session:
            common_id = store.create_label(session, ORGANIZATION, "Common", "#22c55e")
            rare_id = store.create_label(session, ORGANIZATION, "Rare", "#ef4444")
            scratch = store.create_label(session, ORGANIZATION, "Scratch", "#6b7280")
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            store.apply_label(session, ORGANIZATION, common_id, common)
        applied = (time.perf_counter() - started) * 1000
        with unit_of_work(sessions) as session:
            store.apply_label(session, ORGANIZATION, rare_id, rare)
        raw.execute("VACUUM ANALYZE conversations")
        raw.execute("VACUUM ANALYZE conversation_labels")
        # The links alone: triggers and foreign-key checks off (superuser only).
        raw.execute("SET session_replication_role = replica")
        started = time.perf_counter()
        with raw.transaction():
            raw.execute(
                "INSERT INTO conversation_labels SELECT unnest(%s::text[]), %s", (common, scratch)
            )
        links_only = (time.perf_counter() - started) * 1000
        raw.execute("DELETE FROM conversation_labels WHERE label_id = %s", (scratch,))
        raw.execute("SET session_replication_role = DEFAULT")
        row(
            f"apply a label to {len(common):,} conversations",
            applied,
            links_only,
            "links only (no array, no FK)",
        )
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            store.rename_label(session, ORGANIZATION, common_id, "Common label")
        renamed = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        with raw.transaction():
            raw.execute(
                "UPDATE conversations SET labels = labels WHERE id = ANY(%s)", (common,)
            )  # the same rows rewritten, no recomputation
        rewrite = (time.perf_counter() - started) * 1000
        row(f"rename it (arrays of {len(common):,} rewritten)", renamed, rewrite, "bare UPDATE")
        raw.execute("VACUUM ANALYZE conversations")

        page_app = timed(lambda: service.inbox_page(InboxQuery(), None, 100))
        page_raw = timed(lambda: raw.execute(RAW_PAGE.format(extra="", where=""), (ORGANIZATION,)))
        row("inbox page 1, 30 % labelled (app)", page_app, page_raw, "raw SQL, no labels")
        before_and_after(args.baseline_tree, url, "inbox page 1, 30 % labelled (app)")

        for name, label_id in (("30 %", common_id), ("0.1 %", rare_id)):
            query = InboxQuery(label_id=label_id)
            first = service.inbox_page(query, None, 100)
            raw_sql = RAW_PAGE.format(extra="", where=IN_LABEL)
            row(
                f"label view page 1 ({name} of the inbox)",
                timed(partial(service.inbox_page, query, None, 100)),
                timed(partial(raw.execute, raw_sql, (ORGANIZATION, label_id))),
                "raw SQL keyset",
            )
            if len(first) == 100 and label_id == common_id:
                after: InboxPosition | None = None
                for _ in range(99):
                    page = service.inbox_page(query, after, 100)
                    after = page[-1].position
                deep = after
                row(
                    f"label view page 100 ({name})",
                    timed(partial(service.inbox_page, query, deep, 100)),
                    timed(partial(service.inbox_page, query, None, 100)),
                    "its page 1",
                )
        with sessions() as session:
            row(
                "sidebar label counts",
                timed(lambda: store.list_labels(session, ORGANIZATION)),
                timed(lambda: view_counts(session, ORGANIZATION)),
                "the views' counts",
            )
        with unit_of_work(sessions) as session:
            session.execute(text("DELETE FROM labels"))
    engine.dispose()


if __name__ == "__main__":
    main()
