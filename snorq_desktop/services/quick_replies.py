"""The window's quick replies: each change one transaction that also tells the
team (a notice with no words in it: the other apps read the list again)."""

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.quick_replies import QuickReply
from snorq_desktop.store import quick_replies
from snorq_desktop.store.unit_of_work import unit_of_work

TellTheTeam = Callable[[Session, Changes], Changes]
_CHANGED = Changes(quick_replies=True)


class QuickReplyService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        reads: sessionmaker[Session],
        acting_as: Callable[[], Identity],
        tell_the_team: TellTheTeam,
    ) -> None:
        self._sessions = sessions
        self._reads = reads
        self._acting_as = acting_as
        self._tell = tell_the_team

    def all(self) -> list[QuickReply]:
        with self._reads() as session:
            return quick_replies.list_quick_replies(session, self._acting_as().organization_id)

    def add(self, shortcut: str, text: str) -> tuple[str, Changes]:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            added = quick_replies.add_quick_reply(
                session, me.organization_id, shortcut, text, me.user_id
            )
            return added, self._tell(session, _CHANGED)

    def change(self, quick_reply_id: str, shortcut: str, text: str) -> Changes:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            quick_replies.change_quick_reply(
                session, me.organization_id, quick_reply_id, shortcut, text
            )
            return self._tell(session, _CHANGED)

    def delete(self, quick_reply_id: str) -> Changes:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            quick_replies.delete_quick_reply(session, me.organization_id, quick_reply_id)
            return self._tell(session, _CHANGED)
