"""The window's quick replies: each change one transaction that also tells the
team (a notice with no words in it: the other apps read the list again)."""

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.quick_replies import QuickReply
from snorq_desktop.services.shared_inbox import SharedInboxService
from snorq_desktop.store import quick_replies
from snorq_desktop.store.unit_of_work import unit_of_work

_CHANGED = Changes(quick_replies=True)


class QuickReplyService(SharedInboxService):
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
