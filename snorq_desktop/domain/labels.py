"""Labels a team puts on conversations ("VIP", "Refund", "Wholesale"), as plain values.

A label belongs to one organisation; its name is unique there whatever its
case ("VIP" and "vip" are one label), and it has a colour the window paints
its chips in.
"""

import re
from dataclasses import dataclass

from snorq_desktop.domain.errors import KnownError

# The seed's default colour, then a palette that reads on light and dark rows.
DEFAULT_LABEL_COLOUR = "#6366f1"
LABEL_COLOURS = (
    ("Indigo", DEFAULT_LABEL_COLOUR),
    ("Red", "#ef4444"),
    ("Orange", "#f97316"),
    ("Amber", "#f59e0b"),
    ("Green", "#22c55e"),
    ("Teal", "#14b8a6"),
    ("Blue", "#3b82f6"),
    ("Purple", "#a855f7"),
    ("Pink", "#ec4899"),
    ("Grey", "#6b7280"),
)
MAX_LABEL_NAME = 40
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class LabelNameTaken(KnownError):
    """Another label of the organisation already has this name."""


class InvalidLabel(KnownError):
    """A label name or colour the window cannot use."""


@dataclass(frozen=True, slots=True)
class LabelInfo:
    id: str
    name: str
    color: str
    conversations: int = 0  # as its view lists them (not archived, awake): the sidebar's count
    carried_by: int = 0  # every conversation that has it, archived and snoozed too


def clean_label_name(raw: str) -> str:
    """What the person typed, as it is stored: spaces collapsed, ends trimmed."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidLabel("A label needs a name.")
    if len(name) > MAX_LABEL_NAME:
        raise InvalidLabel(f"A label name can be at most {MAX_LABEL_NAME} characters long.")
    return name


def clean_colour(raw: str) -> str:
    colour = raw.strip().lower()
    if not _COLOUR.match(colour):
        raise InvalidLabel(f"“{raw}” is not a colour: use the #rrggbb form, e.g. #6366f1.")
    return colour


def label_key(name: str) -> str:
    """How two names are compared: case does not matter."""
    return name.lower()
