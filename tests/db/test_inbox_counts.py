"""The sidebar's counts come from the counts kept as conversations change: after
inserts, status and unread changes, moves between platforms' views, deletes and
folds they equal a recount of the conversations, and reading them does not read
the conversations."""

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.inbox import InboxView
from snorq_desktop.store import inbox_counts
from tests.history import History

RECOUNT = """
SELECT
  count(*) FILTER (WHERE status <> 'ARCHIVED'),
  count(*) FILTER (WHERE status <> 'ARCHIVED' AND unread_count > 0),
  count(*) FILTER (WHERE status = 'OPEN'),
  count(*) FILTER (WHERE status = 'CLOSED'),
  count(*) FILTER (WHERE status = 'ARCHIVED'),
  count(*) FILTER (WHERE status <> 'ARCHIVED' AND platform = 'TIKTOK'),
  count(*) FILTER (WHERE status <> 'ARCHIVED' AND platform = 'WHATSAPP'),
  count(*) FILTER (WHERE status <> 'ARCHIVED' AND platform = 'FACEBOOK'),
  COALESCE(sum(unread_count) FILTER (WHERE unread_count > 0), 0)
FROM conversations WHERE organization_id = :org
"""
VIEWS = [
    InboxView.ALL,
    InboxView.UNREAD,
    InboxView.OPEN,
    InboxView.CLOSED,
    InboxView.ARCHIVED,
    InboxView.TIKTOK,
    InboxView.WHATSAPP,
    InboxView.FACEBOOK,
]


def _read(engine, org):
    with engine.connect() as connection, Session(bind=connection) as session:
        counts = inbox_counts.view_counts(session, org)
        unread = inbox_counts.unread_total(session, org)
        session.commit()
    return (*(counts.counts[v] for v in VIEWS), counts.unread_messages), unread


def test_the_counts_follow_every_change_and_equal_a_recount(engine, monkeypatch):
    monkeypatch.setattr(inbox_counts, "FOLD_COUNTS_AFTER", 3)  # fold often
    shop = History.shop(engine)
    other = History.shop(engine, slug="other")  # its counts stay its own
    chats = [shop.conversation(datetime.now(UTC), [*Platform][n % 3]) for n in range(9)]
    other.conversation(datetime.now(UTC))
    changes = [
        "UPDATE conversations SET unread_count = 3 WHERE id = ANY(:some)",
        "UPDATE conversations SET status = 'CLOSED' WHERE id = ANY(:some)",
        "UPDATE conversations SET status = 'ARCHIVED', unread_count = 1 WHERE id = ANY(:few)",
        "UPDATE conversations SET platform = 'TIKTOK', "
        "platform_connection_id = :tiktok WHERE id = ANY(:few)",
        "UPDATE conversations SET contact_name = 'Bo' WHERE id = ANY(:some)",  # no count moves
        "UPDATE conversations SET unread_count = 0, status = 'OPEN' WHERE id = ANY(:few)",
        "DELETE FROM conversations WHERE id = ANY(:gone)",
    ]
    for n, change in enumerate(changes):
        shop.sql(
            change,
            some=chats[n % 3 :: 2],
            few=chats[n : n + 2],
            gone=chats[:2],
            tiktok=shop.connections[Platform.TIKTOK],
        )
        recount = tuple(shop.sql(RECOUNT, org=shop.organization_id)[0])
        counts, unread = _read(engine, shop.organization_id)
        assert counts == recount, change
        assert unread == recount[-1]
    assert _read(engine, other.organization_id)[0] == tuple(
        other.sql(RECOUNT, org=other.organization_id)[0]
    )
    # Folding keeps a handful of rows however many changes there were.
    rows = shop.scalar(
        "SELECT count(*) FROM inbox_count_changes WHERE organization_id = :o",
        o=shop.organization_id,
    )
    assert rows <= 9 + 3


def test_deleting_an_organisation_takes_its_counts(engine):
    shop = History.shop(engine)
    shop.conversation(datetime.now(UTC))
    shop.sql("DELETE FROM organizations WHERE id = :o", o=shop.organization_id)
    assert shop.scalar("SELECT count(*) FROM inbox_count_changes") == 0


def test_reading_the_counts_reads_no_conversation(engine):
    shop = History.shop(engine)
    for _ in range(20):
        shop.conversation(datetime.now(UTC))
    with engine.connect() as connection, Session(bind=connection) as session:
        read = text(
            "SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) "
            "FROM pg_stat_xact_user_tables WHERE relname = 'conversations'"
        )
        before = session.execute(read).scalar_one()
        counts = inbox_counts.view_counts(session, shop.organization_id)
        assert session.execute(read).scalar_one() == before
        assert counts.counts[InboxView.ALL] == 20
        session.rollback()
