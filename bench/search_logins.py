"""Search as a member's login beside the owner's, on the big shop of
bench/dataset.py: under row-level security (#13) a member's search must still
read the search index, not every message.

    python -m bench.search_logins --database-url URL --owner LOGIN:PASSWORD \\
        --member LOGIN:PASSWORD [--query TEXT]... [--runs N]

For each query: the app's page (InboxService.inbox_page) as the database
URL's own login (a superuser: row-level security does not apply, the limit),
then as an OWNER's and a MEMBER's login, measured in the same run, each
ratio to the limit, and the plan's read of the messages: "Function Scan snorq_found_messages" is the
matching step in its definer function, whose own statement reads the GIN index
(tests/db/test_member_search.py shows that plan); a Seq Scan is every message.  Make the two logins as the app does (snorq_issue_login for the owner,
an invite for the member).
"""

import argparse
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL

from bench.search import QUERIES, median_ms
from snorq_desktop.domain.inbox import InboxQuery
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store.compiled_reads import plan_nodes
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.inbox import explain_inbox_page
from snorq_desktop.store.search import read_statistics
from snorq_desktop.store.unit_of_work import session_factory

SEARCH_INDEX = "messages_content_search_idx"


def _as(url: URL, credentials: str) -> URL:
    login, _sep, password = credentials.partition(":")
    return url.set(username=login, password=password)


def _measure(service: InboxService, query: str, runs: int) -> tuple[float, str, bool, int]:
    rows = service.inbox_page(InboxQuery(search=query), None, 100)
    ms = median_ms(lambda: service.inbox_page(InboxQuery(search=query), None, 100), runs)
    with service._reads() as session:
        statistics = read_statistics(session)
        plan = explain_inbox_page(
            session, str(service.organization_id), InboxQuery(search=query), statistics=statistics
        )
    nodes = plan_nodes(plan)
    reads = sorted(
        {
            n["Node Type"] + (f" {n['Index Name']}" if "Index Name" in n else "")
            for n in nodes
            if n.get("Relation Name") == "messages" or n.get("Index Name") == SEARCH_INDEX
        }
        | {f"Function Scan {n['Function Name']}" for n in nodes if "Function Name" in n}
    )
    uses_index = any(n.get("Index Name") == SEARCH_INDEX for n in nodes)
    return ms, "; ".join(reads) or "-", uses_index, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--owner", required=True, help="LOGIN:PASSWORD of the owner's login")
    parser.add_argument("--member", required=True, help="LOGIN:PASSWORD of a member's login")
    parser.add_argument("--query", action="append")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = parse_database_url(args.database_url)
    services = {}
    for name in ("administrator", "owner", "member"):
        login = getattr(args, name, None)
        engine = create_database_engine(_as(url, login) if login else url)
        service = InboxService(
            session_factory(engine), ReplyJournal(Path(tempfile.mkdtemp()) / "j")
        )
        service.identity()
        services[name] = service
    print(
        f"medians of {args.runs} runs; limit = the database URL's own login (row-level "
        "security does not apply to it) in the same run"
    )
    for query in args.query or QUERIES:
        limit_ms, _reads, _, limit_rows = _measure(services["administrator"], query, args.runs)
        for name in ("owner", "member"):
            ms, reads, index, rows = _measure(services[name], query, args.runs)
            print(
                f"{query!r:22} {name:6} {ms:8.2f} ms  limit {limit_ms:8.2f} ms"
                f"  ratio {ms / max(limit_ms, 0.001):6.2f}x  rows {rows}/{limit_rows}"
                f"  messages read by: {reads}" + ("  (GIN index)" if index else ""),
                flush=True,
            )


if __name__ == "__main__":
    main()
