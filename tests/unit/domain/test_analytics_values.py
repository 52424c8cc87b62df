"""The dashboard's plain values: durations as people say them, date ranges, the
FREE plan's notice."""

from datetime import UTC, date, datetime

from snorq_desktop.domain.analytics import DateRange, format_duration
from snorq_desktop.domain.retention import RetentionNotice


def test_durations_read_as_people_say_them():
    assert [format_duration(s) for s in (None, 45, 600, 3600, 12_000, 86_400, 190_800)] == [
        "—",
        "45 s",
        "10 min",
        "1 h",
        "3 h 20 min",
        "1 d",
        "2 d 5 h",
    ]


def test_the_last_days_end_today():
    days = DateRange.last_days(7, date(2026, 3, 2))
    assert days.first == date(2026, 2, 24)
    assert len(days.days()) == 7 and days.days()[-1] == date(2026, 3, 2)


def test_the_free_plan_notice_says_how_many_and_when():
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    later = RetentionNotice(1_234, datetime(2026, 12, 2, 9, tzinfo=UTC), purged_before=False)
    assert "1,234 messages older than that will be removed from 2 December" in later.sentence(now)
    assert "in about a week" in RetentionNotice(1, None, False).sentence(now)
    assert "removed today" in RetentionNotice(5, None, True).sentence(now)
