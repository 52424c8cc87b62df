"""What the parts of the team's shared inbox (labels, notes, quick replies,
snoozes, assignments, business hours) have in common: they write as the person
the app acts for, and each change tells the team, so every teammate's window
shows it at once."""

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes

# Sends the NOTIFY for these changes in the writing session (so the team hears
# only once it commits), and returns them for this app's own window.
TellTheTeam = Callable[[Session, Changes], Changes]


class SharedInboxService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        reads: sessionmaker[Session],
        acting_as: Callable[[], Identity],
        tell_the_team: TellTheTeam,
    ) -> None:
        """``sessions``: one transaction for each change; ``reads``: the
        inbox's autocommit sessions for single-statement reads; ``acting_as``:
        who the app acts for now (it changes when someone signs in)."""
        self._sessions = sessions
        self._reads = reads
        self._acting_as = acting_as
        self._tell = tell_the_team

    def _organization(self) -> str:
        return self._acting_as().organization_id
