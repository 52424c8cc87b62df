"""Business hours, and the away and greeting messages they decide (#17.6).

An organisation's week: for each weekday either closed or open from one time
to another, in its own time zone (an IANA name such as "Europe/Lisbon", so
summer time moves the hours with the clocks).  A day may close after midnight
("18:00"–"02:00" is open until 2 at night on the next day); "24:00" closes at
midnight.

Outside the hours, a customer's new message gets the away message once per
conversation per *closed period*: the stretch from the moment the shop last
closed until it next opens.  A week with no open day at all has no such
stretch, so each local day counts as one closed period (the away message at
most once a day).

A first-time customer (whose first message to the shop opens the
conversation) gets the greeting once.  When both apply, because a new
customer writes while the shop is closed, both go: the greeting first, then
the away message, as the WhatsApp Business app does; the greeting says who
answers, the away message when.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from snorq_desktop.domain.errors import KnownError

MAX_AUTOMATIC_TEXT = 1000  # short: an automatic answer is read on a phone
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Only a customer's message this recent is answered automatically: history
# imported by a first sync, or a message found after the app was closed for a
# day, is never answered out of the blue.
ANSWER_WITHIN = timedelta(minutes=15)
# The greeting's key for "once per conversation": it has no period of its own.
GREETING_PERIOD = datetime(1970, 1, 1, tzinfo=UTC)
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class BusinessHoursRefused(KnownError):
    """Hours, a time zone or a message the team cannot save."""


class AutomaticKind(StrEnum):
    GREETING = "GREETING"
    AWAY = "AWAY"


CAPTIONS = {
    AutomaticKind.GREETING: "Automatic – greeting",
    AutomaticKind.AWAY: "Automatic – away message",
}


@dataclass(frozen=True, slots=True)
class OpenHours:
    """One day's opening, in minutes after local midnight; ``closes`` at or
    before ``opens`` means the next day (after midnight)."""

    opens: int
    closes: int

    def __post_init__(self) -> None:
        if not (0 <= self.opens < 1440 and 0 < self.closes <= 1440):
            raise BusinessHoursRefused("Opening times run from 00:00 to 24:00.")
        if self.opens == self.closes:
            raise BusinessHoursRefused(
                "A day cannot open and close at the same time: mark it closed instead."
            )

    @classmethod
    def parse(cls, opens: str, closes: str) -> "OpenHours":
        return cls(_minutes(opens, opening=True), _minutes(closes, opening=False))

    def text(self) -> tuple[str, str]:
        return _clock(self.opens), _clock(self.closes)


@dataclass(frozen=True, slots=True)
class BusinessHours:
    time_zone: str
    week: tuple[OpenHours | None, ...]  # Monday first; None: closed all day
    away_on: bool = False
    away_text: str = ""
    greeting_on: bool = False
    greeting_text: str = ""

    def __post_init__(self) -> None:
        zone_of(self.time_zone)
        if len(self.week) != 7:
            raise BusinessHoursRefused("Business hours need the seven days of the week.")
        for on, words, what in (
            (self.away_on, self.away_text, "away message"),
            (self.greeting_on, self.greeting_text, "greeting"),
        ):
            if on and not words.strip():
                raise BusinessHoursRefused(f"Write the {what} before turning it on.")
            if len(words) > MAX_AUTOMATIC_TEXT:
                raise BusinessHoursRefused(
                    f"The {what} can be at most {MAX_AUTOMATIC_TEXT:,} characters long "
                    f"(it has {len(words):,})."
                )

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.time_zone)

    # --- stored as JSON: [["09:00", "18:00"], null, ...] ----------------------------

    def week_json(self) -> list[list[str] | None]:
        return [list(day.text()) if day else None for day in self.week]

    @staticmethod
    def week_from_json(raw: object) -> tuple[OpenHours | None, ...]:
        if not isinstance(raw, list):
            raise BusinessHoursRefused("The stored week is not a list of days.")
        return tuple(OpenHours.parse(day[0], day[1]) if day else None for day in raw)


def zone_of(name: str) -> ZoneInfo:
    if not name or name != name.strip():
        raise BusinessHoursRefused("Pick the shop's time zone, e.g. Europe/Lisbon.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BusinessHoursRefused(f"“{name}” is not a time zone SNORQ knows.") from None


def time_zones() -> list[str]:
    """Every IANA zone name (for the picker), by name."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


def _minutes(raw: str, *, opening: bool) -> int:
    match = _TIME.match(raw.strip())
    if match is None:
        raise BusinessHoursRefused(f"“{raw}” is not a time: write it as 09:00.")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 1440 or (opening and minutes == 1440):
        raise BusinessHoursRefused(f"“{raw}” is not a time of day.")
    return minutes


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """Local wall time ``minutes`` after midnight of ``day``, as UTC.  A time the
    clocks skip (02:30 on the spring change) counts as the offset before it."""
    days, minutes = divmod(minutes, 1440)
    wall = time(minutes // 60, minutes % 60)
    return datetime.combine(day + timedelta(days=days), wall, tzinfo=zone).astimezone(UTC)


def _openings(hours: BusinessHours, around: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The open stretches (UTC) of the local days from eight days before
    ``around`` to the day after, oldest first."""
    zone = hours.zone
    today = around.astimezone(zone).date()
    for back in range(8, -2, -1):
        day = today - timedelta(days=back)
        opening = hours.week[day.weekday()]
        if opening is None:
            continue
        closes = opening.closes + (1440 if opening.closes <= opening.opens else 0)
        yield _at(day, opening.opens, zone), _at(day, closes, zone)


def is_open(hours: BusinessHours, moment: datetime) -> bool:
    return any(start <= moment < end for start, end in _openings(hours, moment))


def closed_since(hours: BusinessHours, moment: datetime) -> datetime | None:
    """When the closed period holding ``moment`` began (UTC); None while open.

    With no open day in the week, the period is the local day."""
    if is_open(hours, moment):
        return None
    ends = [end for _, end in _openings(hours, moment) if end <= moment]
    if ends:
        return max(ends)
    return _at(moment.astimezone(hours.zone).date(), 0, hours.zone)


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """What deciding needs of a conversation's newest customer message."""

    conversation_id: str
    written_at: datetime  # the customer's newest message, the platform's time
    began_at: datetime  # the conversation's first message, whoever wrote it
    began_with_customer: bool  # that first message was the customer's
    answered: bool  # a person (here, or on the shop's phone) replied after it


@dataclass(frozen=True, slots=True)
class AutomaticReply:
    conversation_id: str
    kind: AutomaticKind
    period: datetime  # with conversation and kind: sent at most once
    text: str


def automatic_replies(
    hours: BusinessHours, message: CustomerMessage, now: datetime
) -> list[AutomaticReply]:
    """What goes out for this message, greeting first; each key sent once at most
    (the database keeps the key: store/automatic_replies.py)."""
    if message.answered or message.written_at < now - ANSWER_WITHIN:
        return []
    due: list[AutomaticReply] = []
    new_customer = message.began_with_customer and message.began_at >= now - ANSWER_WITHIN
    if hours.greeting_on and new_customer:
        due.append(
            AutomaticReply(
                message.conversation_id,
                AutomaticKind.GREETING,
                GREETING_PERIOD,
                hours.greeting_text.strip(),
            )
        )
    if hours.away_on and (since := closed_since(hours, message.written_at)) is not None:
        due.append(
            AutomaticReply(
                message.conversation_id, AutomaticKind.AWAY, since, hours.away_text.strip()
            )
        )
    return due


def next_opening(hours: BusinessHours, moment: datetime) -> datetime | None:
    """When the shop next opens after ``moment`` (for the dialog's preview)."""
    zone = hours.zone
    today = moment.astimezone(zone).date()
    for ahead in range(0, 8):
        day = today + timedelta(days=ahead)
        opening = hours.week[day.weekday()]
        if opening is not None and (start := _at(day, opening.opens, zone)) > moment:
            return start
    return None


def default_hours(time_zone: str = "UTC") -> BusinessHours:
    """Monday to Friday 09:00–18:00, both messages off: what the dialog starts from."""
    weekday = OpenHours(9 * 60, 18 * 60)
    return BusinessHours(
        time_zone,
        (weekday,) * 5 + (None, None),
        away_text="Thanks for your message! We're closed right now and will answer "
        "as soon as we open.",
        greeting_text="Hi, and welcome! Thanks for writing to us: we'll be with you shortly.",
    )
