"""Business hours and the automatic answers they decide (#17.6): time zones with
summer time, days that close after midnight, and which message goes when."""

from datetime import UTC, datetime, timedelta

import pytest

from snorq_desktop.domain.business_hours import (
    GREETING_PERIOD,
    AutomaticKind,
    BusinessHours,
    BusinessHoursRefused,
    CustomerMessage,
    OpenHours,
    automatic_replies,
    closed_since,
    is_open,
    next_opening,
)

NINE_TO_FIVE = OpenHours.parse("09:00", "17:00")


def week(*days: OpenHours | None) -> tuple[OpenHours | None, ...]:
    return tuple(days) + (None,) * (7 - len(days))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


NEW_YORK = BusinessHours("America/New_York", week(*[NINE_TO_FIVE] * 5))


def test_the_same_utc_hour_is_before_opening_in_winter_and_open_in_summer_time():
    """New York moves its clocks on Sunday 8 March 2026: 13:30 UTC is 08:30 on the
    Friday before (closed) and 09:30 on the Monday after (open)."""
    assert not is_open(NEW_YORK, utc(2026, 3, 6, 13, 30))
    assert is_open(NEW_YORK, utc(2026, 3, 9, 13, 30))
    # 17:00 moved with the clocks too: 21:30 UTC is after closing in summer time only
    assert is_open(NEW_YORK, utc(2026, 3, 6, 21, 30))
    assert not is_open(NEW_YORK, utc(2026, 3, 9, 21, 30))


def test_a_closed_period_across_the_clock_change_began_at_fridays_closing():
    monday_early = utc(2026, 3, 9, 12, 0)  # 08:00 summer time
    assert closed_since(NEW_YORK, monday_early) == utc(2026, 3, 6, 22, 0)  # 17:00 winter time
    assert closed_since(NEW_YORK, utc(2026, 3, 9, 14, 0)) is None
    assert next_opening(NEW_YORK, monday_early) == utc(2026, 3, 9, 13, 0)


def test_autumn_back_an_hour_keeps_the_local_times():
    """Lisbon goes from 01:00 UTC+1 back to 01:00 UTC on Sunday 25 October 2026."""
    sunday = BusinessHours("Europe/Lisbon", week(None, None, None, None, None, None, NINE_TO_FIVE))
    assert not is_open(sunday, utc(2026, 10, 18, 7, 30))  # 08:30 summer time
    assert is_open(sunday, utc(2026, 10, 18, 8, 30))  # 09:30 summer time
    assert not is_open(sunday, utc(2026, 10, 25, 8, 30))  # 08:30 winter time
    assert is_open(sunday, utc(2026, 10, 25, 9, 0))
    assert closed_since(sunday, utc(2026, 10, 25, 17, 30)) == utc(2026, 10, 25, 17, 0)


def test_a_day_that_closes_after_midnight_is_open_into_the_next_morning():
    late = BusinessHours(
        "Europe/Lisbon", week(None, None, None, None, OpenHours.parse("18:00", "02:00"))
    )
    # Friday 4 December 2026, Lisbon in winter (UTC+0)
    assert is_open(late, utc(2026, 12, 4, 23, 30))
    assert is_open(late, utc(2026, 12, 5, 1, 30))  # Saturday 01:30
    assert not is_open(late, utc(2026, 12, 5, 2, 30))
    assert closed_since(late, utc(2026, 12, 5, 2, 30)) == utc(2026, 12, 5, 2, 0)
    assert closed_since(late, utc(2026, 12, 4, 17, 0)) == utc(2026, 11, 28, 2, 0), "last week's"


def test_24_00_closes_at_midnight_and_a_week_with_no_open_day_is_closed_day_by_day():
    all_day = BusinessHours("UTC", week(OpenHours.parse("00:00", "24:00")))
    assert is_open(all_day, utc(2026, 12, 7, 23, 59))  # a Monday
    assert not is_open(all_day, utc(2026, 12, 8, 0, 0))
    closed = BusinessHours("Asia/Tokyo", (None,) * 7)
    # 10:00 in Tokyo on 8 December: the period began at Tokyo's midnight
    assert closed_since(closed, utc(2026, 12, 8, 1, 0)) == utc(2026, 12, 7, 15, 0)


@pytest.mark.parametrize(
    ("opens", "closes", "said"),
    [
        ("9", "17:00", "not a time"),
        ("25:00", "17:00", "not a time"),
        ("24:00", "17:00", "not a time of day"),
        ("09:00", "09:00", "mark it closed"),
    ],
)
def test_hours_that_are_not_a_time_are_refused_with_a_sentence(opens, closes, said):
    with pytest.raises(BusinessHoursRefused, match=said):
        OpenHours.parse(opens, closes)


def test_an_unknown_time_zone_or_an_empty_message_turned_on_is_refused():
    with pytest.raises(BusinessHoursRefused, match="not a time zone"):
        BusinessHours("Mars/Olympus_Mons", (None,) * 7)
    with pytest.raises(BusinessHoursRefused, match="Write the away message"):
        BusinessHours("UTC", (None,) * 7, away_on=True, away_text="  ")
    with pytest.raises(BusinessHoursRefused, match="at most 1,000"):
        BusinessHours("UTC", (None,) * 7, greeting_text="x" * 1001)
    with pytest.raises(BusinessHoursRefused, match="seven days"):
        BusinessHours("UTC", (None,) * 6)


def test_the_week_round_trips_through_its_stored_form():
    stored = NEW_YORK.week_json()
    assert stored[0] == ["09:00", "17:00"]
    assert stored[6] is None
    assert BusinessHours.week_from_json(stored) == NEW_YORK.week


SHOP = BusinessHours(
    "America/New_York",
    NEW_YORK.week,
    away_on=True,
    away_text="We're closed, back at 9.",
    greeting_on=True,
    greeting_text="Welcome!",
)
SATURDAY = utc(2026, 3, 7, 15, 0)  # closed since Friday 17:00 EST = 22:00 UTC


def message(at: datetime, *, began: datetime | None = None, customer_first: bool = True,
            answered: bool = False) -> CustomerMessage:  # fmt: skip
    return CustomerMessage("c1", at, began or at, customer_first, answered)


def test_a_new_customer_outside_the_hours_gets_the_greeting_then_the_away_message():
    due = automatic_replies(SHOP, message(SATURDAY), SATURDAY)
    assert [(r.kind, r.period, r.text) for r in due] == [
        (AutomaticKind.GREETING, GREETING_PERIOD, "Welcome!"),
        (AutomaticKind.AWAY, utc(2026, 3, 6, 22, 0), "We're closed, back at 9."),
    ]


def test_a_returning_customer_gets_the_away_message_keyed_by_the_closed_period():
    earlier = utc(2026, 3, 1)
    first = automatic_replies(SHOP, message(SATURDAY, began=earlier), SATURDAY)
    later = SATURDAY + timedelta(hours=20)  # Sunday, still the same closed period
    second = automatic_replies(SHOP, message(later, began=earlier), later)
    assert [r.kind for r in first] == [AutomaticKind.AWAY]
    assert first[0].period == second[0].period, "once per period: the same key"
    tuesday_night = utc(2026, 3, 11, 2, 0)  # Tuesday 22:00 EDT: a new period
    third = automatic_replies(SHOP, message(tuesday_night, began=earlier), tuesday_night)
    assert third[0].period == utc(2026, 3, 10, 21, 0)


def test_inside_the_hours_only_a_new_customer_is_greeted():
    monday = utc(2026, 3, 9, 15, 0)
    assert [r.kind for r in automatic_replies(SHOP, message(monday), monday)] == [
        AutomaticKind.GREETING
    ]
    assert automatic_replies(SHOP, message(monday, began=utc(2026, 1, 1)), monday) == []
    shop_wrote_first = message(monday, customer_first=False)
    assert automatic_replies(SHOP, shop_wrote_first, monday) == []


def test_nothing_goes_for_an_answered_or_old_message_or_with_both_turned_off():
    assert automatic_replies(SHOP, message(SATURDAY, answered=True), SATURDAY) == []
    found_late = SATURDAY + timedelta(minutes=16)  # e.g. history of a first sync
    assert automatic_replies(SHOP, message(SATURDAY), found_late) == []
    off = BusinessHours(SHOP.time_zone, SHOP.week, away_text="x", greeting_text="y")
    assert automatic_replies(off, message(SATURDAY), SATURDAY) == []
