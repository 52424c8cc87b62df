"""The window's internal notes: written as the person the app acts for."""

from datetime import datetime

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.notes import ThreadNote
from snorq_desktop.services.shared_inbox import SharedInboxService
from snorq_desktop.store import notes
from snorq_desktop.store.unit_of_work import unit_of_work


class NoteService(SharedInboxService):
    @property
    def author_id(self) -> str:
        """Who writes notes from this app (the signed-in member, until then the owner)."""
        return self._acting_as().user_id

    def of(self, conversation_id: str, since: datetime | None = None) -> list[ThreadNote]:
        with self._reads() as session:
            return notes.thread_notes(
                session, self._acting_as().organization_id, conversation_id, since=since
            )

    def add(self, conversation_id: str, content: str) -> tuple[ThreadNote, Changes]:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            note = notes.add_note(session, me.organization_id, conversation_id, me.user_id, content)
            changes = Changes(messages=frozenset({conversation_id}))
            return note, self._tell(session, changes)

    def edit(self, note_id: str, content: str) -> Changes:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            conversation_id = notes.edit_note(
                session, me.organization_id, note_id, me.user_id, content
            )
            return self._tell(session, Changes(messages=frozenset({conversation_id})))

    def delete(self, note_id: str) -> Changes:
        me = self._acting_as()
        with unit_of_work(self._sessions) as session:
            conversation_id = notes.delete_note(session, me.organization_id, note_id, me.user_id)
            return self._tell(session, Changes(messages=frozenset({conversation_id})))
