"""Internal notes: what a teammate writes beside a conversation for the team.

A note is never a message: it has a type of its own, so nothing that sends
messages (the outbox, the platforms) can ever be handed one.
"""

from dataclasses import dataclass
from datetime import datetime

from snorq_desktop.domain.errors import KnownError

MAX_NOTE_LENGTH = 5000


class InvalidNote(KnownError):
    """A note the window cannot store (empty, or far too long)."""


@dataclass(frozen=True, slots=True)
class ThreadNote:
    id: str
    content: str
    author_id: str
    author_name: str
    written_at: datetime

    @property
    def sent_at(self) -> datetime:
        """When it was written, named like a message's time so a thread orders both alike."""
        return self.written_at


def clean_note(raw: str) -> str:
    content = raw.strip()
    if not content:
        raise InvalidNote("A note needs some text.")
    if len(content) > MAX_NOTE_LENGTH:
        raise InvalidNote(f"A note can be at most {MAX_NOTE_LENGTH:,} characters long.")
    return content
