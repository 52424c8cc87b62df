"""Who's on it (#17.2): assigning and taking conversations, each one
transaction that also tells the team (ids only: the conversation, and who was
given it, so the assignee's window can say so)."""

from snorq_desktop.domain.assignments import Teammate
from snorq_desktop.domain.inbox import Changes, InboxView
from snorq_desktop.services.shared_inbox import SharedInboxService
from snorq_desktop.store import assignments
from snorq_desktop.store.compiled_reads import Reads
from snorq_desktop.store.unit_of_work import unit_of_work


class AssignmentService(SharedInboxService):
    def teammates(self) -> list[Teammate]:
        with self._reads() as session:
            return assignments.teammates(session, self._acting_as().organization_id)

    def assign(self, conversation_id: str, assignee_id: str | None) -> Changes:
        """Give it to a teammate (None: back to Unassigned)."""
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            if not assignments.assign(session, me.organization_id, conversation_id, assignee_id):
                return Changes()
            given = ((conversation_id, assignee_id),) if assignee_id else ()
            changes = Changes(conversations=frozenset({conversation_id}), assignments=given)
            return self._tell(session, changes)

    def take(self, conversation_id: str) -> Changes:
        return self.assign(conversation_id, self._acting_as().user_id)

    def counts(self, session: Reads) -> dict[InboxView, int]:
        """Mine and Unassigned, read in the caller's session (with the other counts)."""
        me = self._acting_as()
        return assignments.view_counts(session, me.organization_id, me.user_id)
