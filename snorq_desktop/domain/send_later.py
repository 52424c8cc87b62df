"""Send later (#17.4): the times the reply box offers, and what may be scheduled."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from snorq_desktop.domain.errors import KnownError

# The latest a reply may be scheduled: no platform's window is longer than a week.
FURTHEST = timedelta(days=7)


class CannotSchedule(KnownError):
    """A time that cannot take the reply.  ``template_instead``: WhatsApp's window
    is closed by then, so the window offers a template."""

    def __init__(self, sentence: str, *, template_instead: bool = False) -> None:
        super().__init__(sentence)
        self.template_instead = template_instead


@dataclass(frozen=True)
class LaterChoice:
    label: str  # "In 1 hour", "Tomorrow at 9:00"
    at: datetime  # aware, in the person's own time zone


def later_choices(now: datetime) -> list[LaterChoice]:
    """The menu's ready-made times for ``now`` (aware, local): in an hour, in three,
    this evening when it is still ahead, tomorrow morning."""
    choices = [
        LaterChoice("In 1 hour", now + timedelta(hours=1)),
        LaterChoice("In 3 hours", now + timedelta(hours=3)),
    ]
    evening = now.replace(hour=18, minute=0, second=0, microsecond=0)
    if evening - now > timedelta(hours=3):
        choices.append(LaterChoice("This evening at 18:00", evening))
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(9, 0), now.tzinfo)
    choices.append(LaterChoice("Tomorrow at 9:00", tomorrow))
    return choices


def scheduling_refusal(when: datetime, now: datetime) -> str | None:
    """Why ``when`` cannot be a reply's time, whatever the platform."""
    if when <= now:
        return "Choose a time in the future."
    if when - now > FURTHEST:
        return "Choose a time within the next 7 days: no platform lets a reply wait longer."
    return None
