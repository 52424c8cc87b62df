"""The inbox's loaded rows, compactly: a row is its conversation id and its
activity time as microseconds in a typed array, not an object per row.

At 100,000 rows an InboxPosition per row (the object, its datetime) cost about
10 MB more than this; the ids are kept anyway (the view asks for them), once.
"""

import bisect
from array import array
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from snorq_desktop.domain.inbox import InboxPosition

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _microseconds(moment: datetime) -> int:
    if moment.tzinfo is None:  # the database's times are UTC
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


class InboxRows:
    """Rows sorted newest first by (activity, id), as the inbox pages them."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._activity = array("q")
        self._present: set[str] = set()  # the same ids, for O(1) "already here?"

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._present

    def clear(self) -> None:
        self._ids, self._activity, self._present = [], array("q"), set()

    def id_at(self, row: int) -> str:
        return self._ids[row]

    def ids(self, first: int, last: int) -> list[str]:
        """The ids of rows ``first`` to ``last``, both included."""
        return self._ids[first : last + 1]

    def position_at(self, row: int) -> InboxPosition:
        return InboxPosition(_EPOCH + self._activity[row] * _MICROSECOND, self._ids[row])

    def last(self) -> InboxPosition | None:
        return self.position_at(len(self._ids) - 1) if self._ids else None

    def row_of(self, conversation_id: str) -> int:
        if conversation_id not in self._present:
            return -1
        return self._ids.index(conversation_id)

    def extend(self, positions: Iterable[InboxPosition]) -> None:
        for position in positions:
            self._ids.append(position.conversation_id)
            self._activity.append(_microseconds(position.activity))
            self._present.add(position.conversation_id)

    def insert(self, row: int, position: InboxPosition) -> None:
        self._ids.insert(row, position.conversation_id)
        self._activity.insert(row, _microseconds(position.activity))
        self._present.add(position.conversation_id)

    def replace(self, row: int, position: InboxPosition) -> None:
        self._activity[row] = _microseconds(position.activity)

    def delete(self, row: int) -> None:
        self._present.discard(self._ids[row])
        del self._ids[row]
        del self._activity[row]

    def target_row(self, position: InboxPosition, without: int) -> int:
        """Where ``position`` belongs among the rows, row ``without`` (-1: none) left out."""
        key = (_microseconds(position.activity), position.conversation_id)
        ids, activity = self._ids, self._activity
        # Sorted newest first: "older than key?" is false, then true, along the rows.
        first_older = bisect.bisect_left(
            range(len(ids)), True, key=lambda row: (activity[row], ids[row]) < key
        )
        return first_older - 1 if 0 <= without < first_older else first_older
