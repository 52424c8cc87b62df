"""The window's snoozes (#17.3): each one transaction that also tells the team,
so a teammate's window hides (or shows again) the conversation at once."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.snooze import SnoozeRefused, refusal
from snorq_desktop.services.shared_inbox import SharedInboxService, TellTheTeam
from snorq_desktop.store import snooze
from snorq_desktop.store.unit_of_work import unit_of_work


class SnoozeService(SharedInboxService):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        reads: sessionmaker[Session],
        acting_as: Callable[[], Identity],
        tell_the_team: TellTheTeam,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(sessions, reads, acting_as, tell_the_team)
        self._clock = clock

    def snooze(self, conversation_ids: Sequence[str], until: datetime) -> Changes:
        """Hide them until ``until`` (aware); a time already past is refused."""
        if reason := refusal(until, self._clock()):
            raise SnoozeRefused(reason)
        return self._set(conversation_ids, until)

    def unsnooze(self, conversation_ids: Sequence[str]) -> Changes:
        """Back in their views now, as they were (not made unread: the person chose)."""
        return self._set(conversation_ids, None)

    def _set(self, conversation_ids: Sequence[str], until: datetime | None) -> Changes:
        with unit_of_work(self._sessions) as session:
            snooze.snooze(session, self._organization(), conversation_ids, until)
            return self._tell(session, Changes(conversations=frozenset(conversation_ids)))

    def wake_due(self) -> Changes:
        """Wake the conversations whose time has come (none if a teammate's app
        did first); the team hears of the ones woken here."""
        with unit_of_work(self._sessions) as session:
            woken = snooze.wake_due(session, self._organization())
            if not woken:
                return Changes()
            return self._tell(session, Changes(conversations=woken))

    def snoozed_until(self, conversation_id: str) -> datetime | None:
        with self._reads() as session:
            return snooze.snoozed_until(session, self._organization(), conversation_id)
