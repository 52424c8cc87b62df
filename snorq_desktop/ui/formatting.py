"""Small pure helpers for what rows show: times, initials, colours."""

import hashlib
from datetime import datetime, timedelta

from PySide6.QtGui import QColor

from snorq_desktop.domain.enums import ConnectionStatus


def relative_time(when: datetime | None, now: datetime) -> str:
    """ "now", "5 min", "14:05" today, "Yesterday", a weekday this week, else a date."""
    if when is None:
        return ""
    local, here = when.astimezone(), now.astimezone()
    age = here - local
    if age < timedelta(minutes=1):
        return "now"
    if age < timedelta(hours=1):
        return f"{int(age.total_seconds() // 60)} min"
    if local.date() == here.date():
        return local.strftime("%H:%M")
    if local.date() == (here - timedelta(days=1)).date():
        return "Yesterday"
    if age < timedelta(days=7):
        return local.strftime("%A")
    if local.year == here.year:
        return local.strftime("%d %b").lstrip("0")
    return local.strftime("%d %b %Y").lstrip("0")


def day_label(when: datetime, now: datetime) -> str:
    local, here = when.astimezone(), now.astimezone()
    if local.date() == here.date():
        return "Today"
    if local.date() == (here - timedelta(days=1)).date():
        return "Yesterday"
    if (here.date() - local.date()).days < 7:
        return local.strftime("%A")
    return local.strftime("%A %d %B %Y").replace(" 0", " ")


def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper() if words[0].isascii() else words[0][:1]
    return (words[0][:1] + words[-1][:1]).upper()


def colour_for(name: str) -> QColor:
    """The same pleasant colour for the same name, every time and on every computer."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return QColor.fromHsl(digest[0] * 360 // 256, 150, 118)


CONNECTION_MARKERS = {
    ConnectionStatus.EXPIRED: "Connection expired",
    ConnectionStatus.DISCONNECTED: "Disconnected",
    ConnectionStatus.ERROR: "Connection problem",
}


def connection_marker(status: ConnectionStatus) -> str | None:
    """What a row and the thread's header say of a connection that is not working;
    None while it works."""
    return CONNECTION_MARKERS.get(status)


def breakable(text: object) -> str:
    """A file's path that a wrapped label may break after each folder (a zero-width
    space after each slash): a long path is otherwise one word, cut off."""
    return str(text).replace("/", "/\u200b").replace("\\", "\\\u200b")
