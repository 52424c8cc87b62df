"""A reply being written: it belongs to its conversation until it is sent."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    conversation_id: str
    content: str
    as_note: bool  # meant for the team's notes, not the customer
    reply_to: str | None = None  # the message of this conversation it answers (our id)

    @property
    def written(self) -> bool:
        """Something was typed (a bare choice of "Internal note" is no draft to show)."""
        return bool(self.content.strip())
