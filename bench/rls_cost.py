"""What row-level security costs (#13): the inbox page, search and ingest as a
MEMBER's own login (the policies apply) beside the same work as the table
owner's side of the wall, a superuser (PostgreSQL skips row-level security for
it: the figures from before RLS), on the same data, in the same run.

    python -m bench.rls_cost --server-url URL [--conversations N] [--messages N]

Makes a database of its own, loads the big shop of bench/dataset.py into it
(smaller by default, so it loads in about a minute), invites a MEMBER the way
the app does (tests.shop.invited_login), then measures each figure as the
superuser (the limit) and as the member, alternating, medians of ``--runs``;
ingest is ``--ingest`` new messages into ``--ingest // 5`` new conversations
(bench/ingest.py's batch), the better of two rounds each.  Each line gives
the member's figure beside the limit and their ratio.  ``--explain`` prints
the member's plan of each search.
"""

import argparse
import json
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from bench.dataset import COMMON, ORGANIZATION, RARE, load
from bench.ingest import batch
from bench.search import median_ms
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.inbox import explain_inbox_page
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.search import read_statistics
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.conftest import create_database, drop_database
from tests.shop import invited_login

OWNER = "cbenchowner00000000000000"
PAGES: dict[str, InboxQuery] = {
    "inbox page (All, first 50)": InboxQuery(),
    "inbox page (Unread)": InboxQuery(view=InboxView.UNREAD),
    f"search, common word {COMMON!r}": InboxQuery(search=COMMON),
    "search, usual word 'dress'": InboxQuery(search="dress"),
    "search, two words 'blue dress'": InboxQuery(search="blue dress"),
    f"search, rare word {RARE[0]!r}": InboxQuery(search=RARE[0]),
}


def _service(engine: Engine) -> InboxService:
    service = InboxService(session_factory(engine), ReplyJournal(Path(tempfile.mkdtemp()) / "j"))
    service.identity()
    return service


def _ingest_seconds(engine: Engine, connection_id: str, run: str, count: int) -> float:
    messages = batch(run, count, max(1, count // 5))
    started = time.perf_counter()
    with unit_of_work(session_factory(engine)) as session:
        inserted = ingest_messages(
            session,
            organization_id=ORGANIZATION,
            connection_id=connection_id,
            platform=Platform.WHATSAPP,
            messages=messages,
        ).inserted
    seconds = time.perf_counter() - started
    assert inserted == count, (inserted, count)
    return seconds


def _line(label: str, member: float, limit: float, unit: str) -> None:
    ratio = member / max(limit, 1e-9)
    print(
        f"{label:34s} member {member:9.2f} {unit}   limit {limit:9.2f} {unit}   ratio {ratio:5.2f}x"
    )


def _explain(service: InboxService, query: InboxQuery) -> None:
    with service._reads() as session:
        plan = explain_inbox_page(
            session,
            str(service.organization_id),
            query,
            statistics=read_statistics(session),
            analyze=True,
        )
    print(json.dumps(plan, indent=1)[:6000])


def _figures(administrator: Engine, member: Engine, args: argparse.Namespace) -> None:
    services = {"limit": _service(administrator), "member": _service(member)}
    assert services["member"].organization_id == ORGANIZATION
    print(f"medians of {args.runs} runs; limit = the superuser (row-level security skipped)")
    for label, query in PAGES.items():
        timed: dict[str, float] = {}
        rows: dict[str, list[str]] = {}
        for name in ("limit", "member", "limit", "member"):  # alternating: a shared machine
            service = services[name]

            def page(service: InboxService = service, query: InboxQuery = query) -> object:
                return service.inbox_page(query, None, 50)

            ms = median_ms(page, args.runs)
            timed[name] = min(ms, timed.get(name, ms))
            rows[name] = [r.id for r in service.inbox_page(query, None, 50)]
        assert rows["member"] == rows["limit"], f"{label}: the member sees other rows"
        _line(label, timed["member"], timed["limit"], "ms")
        if args.explain and query.search:
            _explain(services["member"], query)
    with administrator.connect() as db:
        connection_id = db.execute(
            text(
                "SELECT id FROM platform_connections WHERE organization_id = :o "
                "AND platform = 'WHATSAPP'"
            ),
            {"o": ORGANIZATION},
        ).scalar_one()
    run = f"rls{int(time.time())}"
    engines: dict[str, Engine] = {"limit": administrator, "member": member}
    seconds: dict[str, float] = {}
    for round_, name in enumerate(("limit", "member", "limit", "member")):
        took = _ingest_seconds(engines[name], connection_id, f"{run}{name}{round_}", args.ingest)
        seconds[name] = min(took, seconds.get(name, took))
    # A rate: higher is better, so the ratio is the limit's time over the member's.
    limit_rate, member_rate = args.ingest / seconds["limit"], args.ingest / seconds["member"]
    ratio = seconds["member"] / seconds["limit"]
    print(
        f"{'ingest ' + format(args.ingest, ',') + ' messages':34s} member {member_rate:9,.0f} msg/s"
        f"   limit {limit_rate:9,.0f} msg/s   ratio {ratio:5.2f}x the limit's time"
    )
    with administrator.begin() as db:  # leave the shop as it was, for another run
        db.execute(text("DELETE FROM conversations WHERE external_id LIKE :p"), {"p": f"{run}%"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=300_000)
    parser.add_argument("--ingest", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", help="a database kept by an earlier run (--keep)")
    args = parser.parse_args()
    server = parse_database_url(args.server_url)
    name = args.database or f"snorq_bench_rls_{secrets.token_hex(3)}"
    url: URL = server.set(database=name) if args.database else create_database(server, name)
    try:
        # Upgrades the schema, and loads the shop unless it is there already.
        load(url.render_as_string(hide_password=False), args.conversations, args.messages)
        administrator = create_database_engine(url)
        email = f"mia-{secrets.token_hex(3)}@bench.example"
        login = invited_login(administrator, ORGANIZATION, OWNER, email=email)
        member = create_database_engine(login.url)
        try:
            _figures(administrator, member, args)
        finally:
            member.dispose()
            administrator.dispose()
    finally:
        if args.keep or args.database:
            print(f"kept: {url.render_as_string(hide_password=True)}")
        else:
            drop_database(server, name)


if __name__ == "__main__":
    main()
