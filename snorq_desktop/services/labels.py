"""The window's label operations, each one transaction that also tells the team."""

from collections.abc import Sequence

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.labels import DEFAULT_LABEL_COLOUR, LabelInfo
from snorq_desktop.services.shared_inbox import SharedInboxService
from snorq_desktop.store import labels
from snorq_desktop.store.unit_of_work import unit_of_work


class LabelService(SharedInboxService):
    def all(self) -> list[LabelInfo]:
        with self._reads() as session:
            return labels.list_labels(session, self._organization())

    def of(self, conversation_id: str) -> list[LabelInfo]:
        with self._reads() as session:
            return labels.labels_of(session, self._organization(), conversation_id)

    def create(self, name: str, color: str = DEFAULT_LABEL_COLOUR) -> tuple[str, Changes]:
        with unit_of_work(self._sessions) as session:
            label_id = labels.create_label(session, self._organization(), name, color)
            return label_id, self._tell(session, Changes(labels=True))

    def rename(self, label_id: str, name: str) -> Changes:
        with unit_of_work(self._sessions) as session:
            labels.rename_label(session, self._organization(), label_id, name)
            # Each conversation's chips come from its (renamed) array: refetch rows.
            return self._tell(session, Changes(labels=True))

    def recolour(self, label_id: str, color: str) -> Changes:
        with unit_of_work(self._sessions) as session:
            labels.recolour_label(session, self._organization(), label_id, color)
            return self._tell(session, Changes(labels=True))

    def delete(self, label_id: str) -> Changes:
        with unit_of_work(self._sessions) as session:
            labels.delete_label(session, self._organization(), label_id)
            return self._tell(session, Changes(labels=True))

    def apply(self, label_id: str, conversation_ids: Sequence[str]) -> Changes:
        """The label on every one of these conversations, all or none (one transaction)."""
        with unit_of_work(self._sessions) as session:
            added = labels.apply_label(session, self._organization(), label_id, conversation_ids)
            return self._tell(session, Changes(conversations=frozenset(added)))

    def remove(self, label_id: str, conversation_ids: Sequence[str]) -> Changes:
        with unit_of_work(self._sessions) as session:
            gone = labels.remove_label(session, self._organization(), label_id, conversation_ids)
            return self._tell(session, Changes(conversations=frozenset(gone)))

    def create_and_apply(
        self, name: str, conversation_ids: Sequence[str], color: str = DEFAULT_LABEL_COLOUR
    ) -> Changes:
        """From the thread's "add label" box: the label of that name (made if new), applied."""
        with unit_of_work(self._sessions) as session:
            organization = self._organization()
            label_id = labels.find_or_create_label(session, organization, name, color)
            added = labels.apply_label(session, organization, label_id, conversation_ids)
            return self._tell(session, Changes(conversations=frozenset(added), labels=True))
