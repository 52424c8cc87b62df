"""What the dashboard shows, as plain values, and how its figures are defined.

Definitions (the rollup in ``store/analytics.py`` computes exactly these):

- **Days** are UTC calendar days.  A team may span time zones and every app
  of it reads the same rows, so one clock defines a day; the dashboard says
  "days in UTC" beside the dates.
- A message belongs to the day it was *said*: the platform's timestamp, else
  when it was stored.  A message that arrives late (polled hours after it was
  written) therefore lands on, and corrects, the day it was written.
- **Messages received**: the customers' (INBOUND) messages said that day.
- **Messages sent**: the team's (OUTBOUND) messages said that day that the
  platform accepted (SENT, DELIVERED or READ; not PENDING, not FAILED).
- **New conversations**: conversations whose first message falls on that day.
  A conversation stored on an earlier day than its earliest message still
  kept (the FREE plan purged the first ones) is not new again.
- **Response time**: for each *first reply* - an OUTBOUND message that is not
  FAILED and follows at least one INBOUND message since the team's previous
  non-failed OUTBOUND message in that conversation - the time from the *first*
  of those unanswered customer messages to that reply, in whole seconds
  (truncated).  Consecutive customer messages before a reply count from the
  first one; a second reply without a customer message in between is no new
  response.  A response belongs to the day of the reply.  The day's
  **average response time** is the sum of its responses' seconds divided by
  their number, rounded to the second; None when nobody was answered that day.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from snorq_desktop.domain.enums import Platform


@dataclass(frozen=True)
class DayFigures:
    """One day of one platform (or of all of them, ``platform=None``)."""

    day: date
    platform: Platform | None
    received: int = 0
    sent: int = 0
    new_conversations: int = 0
    responses: int = 0
    response_seconds: int = 0

    @property
    def average_response_seconds(self) -> int | None:
        return average(self.response_seconds, self.responses)

    def __add__(self, other: "DayFigures") -> "DayFigures":
        return DayFigures(
            day=self.day,
            platform=self.platform if self.platform == other.platform else None,
            received=self.received + other.received,
            sent=self.sent + other.sent,
            new_conversations=self.new_conversations + other.new_conversations,
            responses=self.responses + other.responses,
            response_seconds=self.response_seconds + other.response_seconds,
        )


def average(total_seconds: int, count: int) -> int | None:
    """Rounded half up to the whole second, as the rollup's SQL ``round`` does."""
    if count == 0:
        return None
    return (2 * total_seconds + count) // (2 * count)


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date  # inclusive

    @classmethod
    def last_days(cls, days: int, today: date) -> "DateRange":
        return cls(today - timedelta(days=days - 1), today)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Dashboard:
    """A date range's figures: per day and platform as stored, every day of the
    range present (zero when nothing happened)."""

    range: DateRange
    by_platform: dict[tuple[date, Platform], DayFigures] = field(default_factory=dict)

    def day(self, day: date, platform: Platform | None = None) -> DayFigures:
        if platform is not None:
            return self.by_platform.get((day, platform), DayFigures(day, platform))
        total = DayFigures(day, None)
        for each in Platform:
            total = total + self.day(day, each)
        return DayFigures(
            day,
            None,
            total.received,
            total.sent,
            total.new_conversations,
            total.responses,
            total.response_seconds,
        )

    def days(self, platform: Platform | None = None) -> list[DayFigures]:
        return [self.day(each, platform) for each in self.range.days()]

    def totals(self, platform: Platform | None = None) -> DayFigures:
        total = DayFigures(self.range.first, platform)
        for figures in self.days(platform):
            total = total + figures
        return DayFigures(
            self.range.first,
            platform,
            total.received,
            total.sent,
            total.new_conversations,
            total.responses,
            total.response_seconds,
        )


def format_duration(seconds: int | None) -> str:
    """A response time as people say it: 45 s, 12 min, 3 h 20 min, 2 d 4 h."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def csv_rows(board: Dashboard, names: dict[Platform, str]) -> list[list[str]]:
    """The dashboard as a table: a header, then one row per day of the range, the
    same figures the charts and tiles show (totals, then each platform)."""
    platforms = list(Platform)
    header = ["Date (UTC)"]
    for figure in ("Messages received", "Messages sent", "New conversations"):
        header.append(figure)
        header.extend(f"{figure} · {names[p]}" for p in platforms)
    header.append("Average response time (s)")
    header.extend(f"Average response time (s) · {names[p]}" for p in platforms)
    rows = [header]
    for day in board.range.days():
        row = [day.isoformat()]
        for figure in ("received", "sent", "new_conversations"):
            row.append(str(getattr(board.day(day), figure)))
            row.extend(str(getattr(board.day(day, p), figure)) for p in platforms)
        for each in [board.day(day), *(board.day(day, p) for p in platforms)]:
            seconds = each.average_response_seconds
            row.append("" if seconds is None else str(seconds))
        rows.append(row)
    return rows
