"""Snooze and the waiting-for split (#17.3, #17.7) on a big shop
(bench/dataset.py), each figure beside its baseline measured in the same run.

    python -m bench.snooze_split --database-url URL [--conversations N --messages M]

- The split's page 1 beside the All view's page 1 (the same index walk, one
  more column tested), and beside the naive way: who spoke last looked up in
  each conversation's newest message.
- The counts with 500 snoozed beside the counts with none (the snoozed are
  read through their partial index), and the wake of 500 due beside a scan.
"""

import argparse
import tempfile
from functools import partial
from pathlib import Path

import psycopg

from bench.dataset import ORGANIZATION, conninfo, load
from bench.inbox import row, timed
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.domain.view_split import InboxSplit
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.unit_of_work import session_factory

_NAIVE_WAITING_FOR_THEM = """
SELECT c.id FROM conversations c
JOIN LATERAL (SELECT m.direction FROM messages m WHERE m.conversation_id = c.id
              ORDER BY COALESCE(m.platform_timestamp, m.created_at) DESC, m.id DESC LIMIT 1) n
  ON true
WHERE c.organization_id = %s AND c.status <> 'ARCHIVED' AND n.direction = 'OUTBOUND'
ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, c.id DESC LIMIT 100
"""
_FILL = """
UPDATE conversations c SET last_message_direction = (
    SELECT m.direction::text FROM messages m WHERE m.conversation_id = c.id
    ORDER BY COALESCE(m.platform_timestamp, m.created_at) DESC, m.id DESC LIMIT 1)
WHERE c.last_message_direction IS NULL
"""
_SNOOZE = """
UPDATE conversations SET snoozed_until = now() + interval '1 day'
WHERE id IN (SELECT id FROM conversations ORDER BY id LIMIT 500)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    load(args.database_url, args.conversations, args.messages)
    with psycopg.connect(conninfo(args.database_url), autocommit=True) as raw:
        raw.execute(_FILL)
        raw.execute("UPDATE conversations SET snoozed_until = NULL WHERE snoozed_until IS NOT NULL")
        raw.execute("ANALYZE conversations")
        engine = create_database_engine(parse_database_url(args.database_url))
        service = InboxService(
            session_factory(engine), ReplyJournal(Path(tempfile.mkdtemp()) / "j")
        )
        service.identity()
        all_page = timed(lambda: service.inbox_page(InboxQuery(), None, 100))
        for split in (InboxSplit.WAITING_FOR_US, InboxSplit.WAITING_FOR_THEM, InboxSplit.UNREAD):
            row(
                f"page 1, {split.value} (app)",
                timed(partial(service.inbox_page, InboxQuery(split=split), None, 100)),
                all_page,
                "page 1, All (app)",
            )
        row(
            "page 1, waiting_for_them (app)",
            timed(
                lambda: service.inbox_page(InboxQuery(split=InboxSplit.WAITING_FOR_THEM), None, 100)
            ),
            timed(lambda: raw.execute(_NAIVE_WAITING_FOR_THEM, (ORGANIZATION,)).fetchall()),
            "naive: newest message each",
        )
        no_snoozed = timed(service.counts)
        raw.execute(_SNOOZE)
        row("counts, 500 snoozed (app)", timed(service.counts), no_snoozed, "counts, none snoozed")
        row(
            "page 1, All with 500 snoozed (app)",
            timed(lambda: service.inbox_page(InboxQuery(), None, 100)),
            all_page,
            "page 1, All, none snoozed",
        )
        row(
            "Snoozed view page 1 (app)",
            timed(lambda: service.inbox_page(InboxQuery(view=InboxView.SNOOZED), None, 100)),
            all_page,
            "page 1, All (app)",
        )
        engine.dispose()


if __name__ == "__main__":
    main()
