"""Quick replies: the team's saved answers, each typed in the reply box by its
shortcut ("/price"), with the customer's name filled in.

A shortcut is unique in its organisation whatever its case ("/Price" and
"/price" are one), made of letters, digits, "-" and "_", and stored without
its slash.  ``{name}`` and ``{first_name}`` in the text become the open
conversation's contact name and its first word when the reply is inserted.
"""

import re
from dataclasses import dataclass

from snorq_desktop.domain.errors import KnownError

MAX_SHORTCUT = 30
MAX_QUICK_REPLY_TEXT = 4096  # WhatsApp's longest text message
_SHORTCUT = re.compile(r"^[\w-]{1,30}$")
_VALUE = re.compile(r"(\s*)\{(name|first_name)\}")


class QuickReplyRefused(KnownError):
    """A shortcut or text the team cannot save: empty, too long, already used."""


@dataclass(frozen=True, slots=True)
class QuickReply:
    id: str
    shortcut: str  # without the slash
    text: str

    @property
    def typed(self) -> str:
        return "/" + self.shortcut


def clean_shortcut(raw: str) -> str:
    """What the person typed as it is stored: the slash and spaces around it dropped."""
    shortcut = raw.strip().removeprefix("/").strip()
    if not shortcut:
        raise QuickReplyRefused("A quick reply needs a shortcut, e.g. /price.")
    if len(shortcut) > MAX_SHORTCUT:
        raise QuickReplyRefused(f"A shortcut can be at most {MAX_SHORTCUT} characters long.")
    if not _SHORTCUT.match(shortcut):
        raise QuickReplyRefused(
            f"“/{shortcut}” cannot be a shortcut: use letters, digits, - and _ only (no spaces)."
        )
    return shortcut


def clean_text(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise QuickReplyRefused("A quick reply needs the text it puts in the reply box.")
    if len(text) > MAX_QUICK_REPLY_TEXT:
        raise QuickReplyRefused(
            f"A quick reply can be at most {MAX_QUICK_REPLY_TEXT:,} characters long "
            f"(this one has {len(text):,})."
        )
    return text


def shortcut_key(shortcut: str) -> str:
    return shortcut.removeprefix("/").casefold()


def first_name(contact_name: str | None) -> str:
    words = (contact_name or "").split()
    return words[0] if words else ""


def _usable_name(contact_name: str | None) -> str:
    """The name as the customer would be greeted; "" for none or a phone number."""
    name = " ".join((contact_name or "").split())
    return name if any(character.isalpha() for character in name) else ""


def fill(text: str, contact_name: str | None) -> str:
    """The text as it goes into the reply box for this contact.  Without a usable
    name, a value goes with the space before it ("Hi {first_name}," → "Hi,"),
    never leaving a brace for the customer to read."""
    name = _usable_name(contact_name)
    values = {"name": name, "first_name": first_name(name)}

    def value(match: re.Match[str]) -> str:
        filled = values[match.group(2)]
        return match.group(1) + filled if filled else ""

    return _VALUE.sub(value, text)
