"""The reply box's drafts, kept for the person the app acts for."""

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.drafts import Draft
from snorq_desktop.domain.identity import Identity
from snorq_desktop.store import drafts
from snorq_desktop.store.unit_of_work import unit_of_work


class DraftService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        reads: sessionmaker[Session],
        acting_as: Callable[[], Identity],
    ) -> None:
        self._sessions = sessions
        self._reads = reads
        self._acting_as = acting_as

    def save(self, draft: Draft) -> None:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            drafts.save_draft(session, me.organization_id, me.user_id, draft)

    def of(self, conversation_id: str) -> Draft | None:
        me = self._acting_as()
        with self._reads() as session:
            return drafts.draft_of(session, me.organization_id, me.user_id, conversation_id)

    def written(self) -> set[str]:
        """Conversations with an unsent reply of mine (for "Draft" on their rows)."""
        me = self._acting_as()
        with self._reads() as session:
            return drafts.conversations_with_drafts(session, me.organization_id, me.user_id)
