"""The inbox's compact rows keep positions exactly (to the microsecond, any time
zone) and place a conversation where the database's order would."""

from datetime import UTC, datetime, timedelta, timezone

from snorq_desktop.domain.inbox import InboxPosition
from snorq_desktop.ui.inbox_rows import InboxRows

START = datetime(2026, 5, 4, 12, 0, 0, 123_456, tzinfo=UTC)


def _rows(*minutes_ago: int) -> InboxRows:
    rows = InboxRows()
    rows.extend(InboxPosition(START - timedelta(minutes=m), f"c{m}") for m in minutes_ago)
    return rows


def test_a_position_comes_back_exactly_whatever_its_time_zone():
    rows = InboxRows()
    athens = timezone(timedelta(hours=3))
    rows.extend([InboxPosition(START.astimezone(athens), "a")])
    assert rows.position_at(0) == InboxPosition(START, "a")
    assert rows.last() == InboxPosition(START, "a")
    assert "a" in rows and "b" not in rows


def test_a_conversation_goes_where_the_order_puts_it():
    rows = _rows(0, 10, 20, 30)
    assert rows.target_row(InboxPosition(START + timedelta(minutes=1), "n"), -1) == 0
    assert rows.target_row(InboxPosition(START - timedelta(minutes=15), "n"), -1) == 2
    assert rows.target_row(InboxPosition(START - timedelta(hours=1), "n"), -1) == 4
    # Same time: the id breaks the tie, larger first (ORDER BY activity DESC, id DESC).
    same = START - timedelta(minutes=10)
    assert rows.target_row(InboxPosition(same, "c2"), -1) == 1
    assert rows.target_row(InboxPosition(same, "c0"), -1) == 2


def test_a_row_that_moves_is_counted_without_its_old_place():
    rows = _rows(0, 10, 20, 30)
    # c30 becomes the newest: row 0 among the other three.
    assert rows.target_row(InboxPosition(START + timedelta(minutes=1), "c30"), 3) == 0
    # c0 falls behind c20: after c10 and c20, counted without itself.
    assert rows.target_row(InboxPosition(START - timedelta(minutes=25), "c0"), 0) == 2


def test_rows_are_found_moved_and_removed():
    rows = _rows(0, 10, 20)
    assert rows.row_of("c10") == 1 and rows.row_of("nope") == -1
    rows.delete(1)
    assert rows.ids(0, 1) == ["c0", "c20"] and "c10" not in rows
    rows.insert(0, InboxPosition(START + timedelta(minutes=5), "c10"))
    assert rows.ids(0, 2) == ["c10", "c0", "c20"]
    rows.replace(2, InboxPosition(START - timedelta(minutes=21), "c20"))
    assert rows.position_at(2).activity == START - timedelta(minutes=21)
    rows.clear()
    assert len(rows) == 0 and rows.last() is None
