"""Snooze (#17.3): when each choice of the snooze menu wakes a conversation, in
the user's own time zone, and the sentence refusing a time already past.

Times are computed on the local wall clock (9:00 is 9:00 whatever the
daylight-saving change between now and then) and handed on as aware
datetimes; the database keeps them as instants.
"""

from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from snorq_desktop.domain.errors import KnownError

LATER_TODAY = timedelta(hours=3)
MORNING = time(9, 0)
PAST_TIME = "That time has already passed: choose a time later than now."


class SnoozeRefused(KnownError):
    """The time chosen cannot wake a conversation (it has passed)."""


class SnoozeChoice(StrEnum):
    LATER_TODAY = "later_today"
    TOMORROW = "tomorrow"
    NEXT_WEEK = "next_week"


CHOICE_TITLES = {
    SnoozeChoice.LATER_TODAY: "Later today",
    SnoozeChoice.TOMORROW: "Tomorrow 9:00",
    SnoozeChoice.NEXT_WEEK: "Next week",
}


def _at(day: datetime, wall: time, zone: tzinfo | None) -> datetime:
    naive = datetime.combine(day.date(), wall)
    # No zone given: the system's own (astimezone of a naive time applies its
    # rules for that date, daylight saving included).
    return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()


def wake_time(choice: SnoozeChoice, now: datetime, zone: tzinfo | None = None) -> datetime:
    """When ``choice`` wakes a conversation snoozed at ``now`` (aware)."""
    local = now.astimezone(zone) if zone is not None else now.astimezone()
    if choice is SnoozeChoice.LATER_TODAY:
        return local + LATER_TODAY
    if choice is SnoozeChoice.TOMORROW:
        return _at(local + timedelta(days=1), MORNING, zone)
    # Monday 9:00 of next week (on a Monday: the Monday after).
    return _at(local + timedelta(days=7 - local.weekday()), MORNING, zone)


def refusal(until: datetime, now: datetime) -> str | None:
    """Why a conversation cannot be snoozed until ``until``, or None."""
    if until.tzinfo is None:
        raise ValueError("a snooze time must say its time zone")
    return PAST_TIME if until <= now else None


def wake_text(until: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """The wake time as the row and the header say it: "9:00", "Tomorrow 9:00",
    "Mon 9:00", "3 Jan 9:00" (local time)."""
    local_until = until.astimezone(zone) if zone is not None else until.astimezone()
    local_now = now.astimezone(zone) if zone is not None else now.astimezone()
    clock = f"{local_until.hour}:{local_until.minute:02d}"
    days = (local_until.date() - local_now.date()).days
    if days <= 0:
        return clock
    if days == 1:
        return f"Tomorrow {clock}"
    if days < 7:
        return f"{local_until:%a} {clock}"
    year = f" {local_until.year}" if local_until.year != local_now.year else ""
    return f"{local_until.day} {local_until:%b}{year} {clock}"
