"""Search on the big shop of bench/dataset.py: for each query, the app's path
(InboxService.inbox_page, Python included) beside the best of the hand-written
single-statement plans on bare psycopg (the limit), measured in the same run:
the best hand plan is found first, then it and the app are timed in turn.

    python -m bench.search --database-url URL [--query TEXT]... [--json] [--runs N]

Hand plans, each a page of 100 in inbox order: walk the inbox testing each
thread; walk it against the messages one word found in the index; sort only
what the indexes found (each word tried as the index word); and the naive
one-query EXISTS over the index.  A plan slower than a second is cut off
(statement_timeout) and counts as not a candidate.  With --json: one object per
line (query, app_ms, limit_ms, rows, limit_plan).
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench.dataset import ORGANIZATION, conninfo
from snorq_desktop.domain.inbox import InboxQuery
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.search import choose_plan, read_statistics, search_words
from snorq_desktop.store.unit_of_work import session_factory

# Every shape the issue names: one word, rare, common, absent, prefix, two and
# three words mixing rare and common, a word in 30 % of messages, and contact
# names matching one conversation or a fifth of them.
QUERIES = [
    "parcel",
    "zircon",
    "ok",
    "xylophone",
    "deliv",
    "parcel zircon",
    "zircon parcel blue",
    "malachite turq",
    "parcel blue",
    "ana",
    "12345",
    "ana 12345",
    "kenji",
]

_COLUMNS = (
    "c.id, c.platform, c.contact_name, c.contact_username, c.contact_external_id, "
    "c.contact_avatar_url, c.last_message_preview, c.last_message_at, "
    "COALESCE(c.last_message_at, c.created_at) AS activity, c.unread_count, c.status, "
    "p.status, c.labels"
)
_CONTACT = "to_tsvector('simple'::regconfig, COALESCE(c.contact_name, ''))"
_CONTENT = "to_tsvector('simple'::regconfig, COALESCE(m.content, ''))"
_PAGE = (
    f"SELECT {_COLUMNS} FROM conversations c "
    "JOIN platform_connections p ON p.id = c.platform_connection_id "
    "WHERE c.organization_id = %(org)s AND c.status <> 'ARCHIVED' AND ({match}) "
    "ORDER BY {order} DESC, c.id DESC LIMIT 100"
)
_ACTIVITY = "COALESCE(c.last_message_at, c.created_at)"


def _found(word: str, several: bool) -> str:
    recheck = f" AND ({_CONTENT} @@ to_tsquery('simple', %(terms)s)) IS TRUE" if several else ""
    return (
        "SELECT m.conversation_id FROM messages m WHERE m.organization_id = %(org)s "
        f"AND {_CONTENT} @@ to_tsquery('simple', '{word}:*'){recheck}"
    )


def hand_plans(query: str) -> dict[str, str]:
    words = search_words(query)
    contact = f"{_CONTACT} @@ to_tsquery('simple', %(terms)s)"
    plans = {
        "walk": _PAGE.format(
            match=f"{contact} OR COALESCE((SELECT true FROM messages m WHERE "
            "m.conversation_id = c.id AND m.organization_id = %(org)s AND "
            f"{_CONTENT} @@ to_tsquery('simple', %(terms)s) LIMIT 1), false)",
            order=_ACTIVITY,
        ),
        "naive exists": _PAGE.format(
            match=f"{contact} OR EXISTS (SELECT 1 FROM messages m WHERE "
            "m.conversation_id = c.id AND m.organization_id = %(org)s AND "
            f"{_CONTENT} @@ to_tsquery('simple', %(terms)s))",
            order=_ACTIVITY,
        ),
    }
    for word in dict.fromkeys(words):
        found = _found(word, len(words) > 1)
        plans[f"walk, '{word}' found"] = _PAGE.format(
            match=f"{contact} OR c.id IN ({found})", order=_ACTIVITY
        )
        both = (
            f"{found} UNION SELECT c2.id FROM conversations c2 WHERE "
            "c2.organization_id = %(org)s AND "
            "to_tsvector('simple'::regconfig, COALESCE(c2.contact_name, '')) "
            "@@ to_tsquery('simple', %(terms)s)"
        )
        for form, match in (("IN", f"c.id IN ({both})"), ("ANY", f"c.id = ANY(ARRAY({both}))")):
            plans[f"sort found by '{word}' ({form})"] = _PAGE.format(
                match=match, order=f"({_ACTIVITY} + interval '0 seconds')"
            )
    return plans


def median_ms(work: Callable[[], object], runs: int) -> float:
    work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(service: InboxService, raw: psycopg.Connection, query: str, runs: int) -> dict:  # type: ignore[type-arg]
    params = {
        "org": ORGANIZATION,
        "terms": " & ".join(f"{w}:*" for w in search_words(query)),
    }
    app_rows = service.inbox_page(InboxQuery(search=query), None, 100)
    with service._reads() as session:
        plan = choose_plan(search_words(query), read_statistics(session)).value
    best: tuple[float, str, list[str], str] = (float("inf"), "", [], "")
    raw.execute("SET statement_timeout = 1000")
    for name, sql in hand_plans(query).items():
        try:
            ids = [row[0] for row in raw.execute(sql, params).fetchall()]
            ms = median_ms(lambda sql=sql: raw.execute(sql, params).fetchall(), runs)  # type: ignore[misc]
        except psycopg.errors.QueryCanceled:
            continue
        if ms < best[0]:
            best = (ms, name, ids, sql)
    raw.execute("RESET statement_timeout")
    # The app and the best hand plan timed in turn, round after round: on shared
    # cores the load swings from one second to the next, and two blocks timed one
    # after the other measured the swing as much as the plans.
    app_samples, limit_samples = [], []
    for _ in range(max(runs, 3) * 2):
        started = time.perf_counter()
        service.inbox_page(InboxQuery(search=query), None, 100)
        app_samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        raw.execute(best[3], params).fetchall()
        limit_samples.append((time.perf_counter() - started) * 1000)
    app_ms, limit_ms = statistics.median(app_samples), statistics.median(limit_samples)
    return {
        "query": query,
        "app_ms": round(app_ms, 2),
        "limit_ms": round(limit_ms, 2),
        "rows": len(app_rows),
        "limit_plan": best[1],
        "app_plan": plan,
        "same_rows": [s.id for s in app_rows] == best[2],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--query", action="append", help="a search to measure (repeatable)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    engine = create_database_engine(parse_database_url(args.database_url))
    service = InboxService(session_factory(engine), ReplyJournal(Path(tempfile.mkdtemp()) / "j"))
    service.identity()
    with psycopg.connect(conninfo(args.database_url), autocommit=True) as raw:
        # The app's own session settings (store/database.py), so both sides plan alike.
        raw.execute("SET plan_cache_mode = force_custom_plan")
        raw.execute("SET jit = off")
        raw.execute("SET max_parallel_workers_per_gather = 0")
        messages = raw.execute("SELECT count(*) FROM messages").fetchone()[0]  # type: ignore[index]
        if not args.json:
            print(f"messages: {messages:,}; medians of {args.runs} runs")
        for query in args.query or QUERIES:
            figures = measure(service, raw, query, args.runs)
            if args.json:
                print(json.dumps(figures), flush=True)
                continue
            ratio = figures["app_ms"] / max(figures["limit_ms"], 0.001)
            print(
                f"{query!r:22} app {figures['app_ms']:7.2f} ms ({figures['app_plan']:10})"
                f"  limit {figures['limit_ms']:7.2f} ms ({figures['limit_plan']})"
                f"  ratio {ratio:5.2f}x  rows {figures['rows']}"
                + ("" if figures["same_rows"] else "   ROWS DIFFER"),
                flush=True,
            )
    engine.dispose()


if __name__ == "__main__":
    main()
