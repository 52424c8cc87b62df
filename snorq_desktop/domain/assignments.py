"""Who's on it (#17.2): the teammates a conversation can be given to."""

from dataclasses import dataclass

NOT_A_MEMBER = "That person is not a member of this organisation: only a teammate can be assigned."
ASSIGN_SHORTCUT = "A"  # opens the assign chooser (listed in Help ▸ Keyboard shortcuts)


@dataclass(frozen=True, slots=True)
class Teammate:
    user_id: str
    name: str  # their name, else their email
    avatar_url: str | None = None


def assigned_text(assignee: Teammate | None, me: str | None) -> str:
    """What the thread's header says of who is on it."""
    if assignee is None:
        return "Unassigned"
    return "Assigned to you" if assignee.user_id == me else f"Assigned to {assignee.name}"
