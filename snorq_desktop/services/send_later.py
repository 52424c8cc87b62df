"""Send later (#17.4) for the window: schedule a reply, take it back.  Each is
one transaction that tells the team (their threads show it, or stop showing it)."""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.services.shared_inbox import TellTheTeam
from snorq_desktop.store import send_later
from snorq_desktop.store.unit_of_work import unit_of_work


class SendLaterService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        acting_as: Callable[[], Identity],
        tell_the_team: TellTheTeam,
        reply_stored: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._acting_as = acting_as
        self._tell = tell_the_team
        self._reply_stored = reply_stored

    def schedule(
        self,
        conversation_id: str,
        message_id: str,
        text: str,
        when: datetime,
        reply_to: str | None = None,
    ) -> Changes:
        """Raises CannotSchedule (with its sentence) and writes nothing when the
        time cannot take it."""
        identity = self._acting_as()
        with unit_of_work(self._sessions) as session:
            send_later.schedule_reply(
                session,
                organization_id=identity.organization_id,
                conversation_id=conversation_id,
                message_id=message_id,
                sender_id=identity.user_id,
                text=text,
                when=when,
                reply_to=reply_to,
            )
            ids = frozenset({conversation_id})
            changes = self._tell(session, Changes(conversations=ids, messages=ids))
        self._reply_stored()  # the sender learns of it (and skips it until due)
        return changes

    def cancel(self, message_id: str) -> tuple[str, Changes]:
        """The cancelled reply's text (back in the reply box), and what changed."""
        with unit_of_work(self._sessions) as session:
            conversation_id, text = send_later.cancel_scheduled(
                session, self._acting_as().organization_id, message_id
            )
            ids = frozenset({conversation_id})
            return text, self._tell(session, Changes(conversations=ids, messages=ids))
