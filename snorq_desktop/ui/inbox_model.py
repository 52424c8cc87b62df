"""The inbox list: conversations of the current view, newest activity first.

Holds one small summary per loaded row and pages in by keyset through
canFetchMore/fetchMore, a page at a time, never all rows.  A change moves or
repaints only the rows it touched, so selection and scroll position survive.
"""

import bisect
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from snorq_desktop.domain.inbox import Changes, ConversationSummary, InboxQuery
from snorq_desktop.sync.inbox_service import InboxService
from snorq_desktop.ui.tasks import TaskRunner

SummaryRole = Qt.ItemDataRole.UserRole + 1
ConversationIdRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class InboxModel(QAbstractListModel):
    """Signals:
    - ``loading_changed(bool)``: a page is being fetched (for a progress hint);
    - ``page_loaded(int)``: rows now loaded, after each page;
    - ``row_leaving(int)``: a row is about to be removed by a change (sent before
      Qt's own signals, which already move the view's current row).
    """

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    row_leaving = Signal(int)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        *,
        page_size: int = 100,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._page_size = page_size
        self._rows: list[ConversationSummary] = []
        self._query = InboxQuery()
        self._generation = 0  # results of an older query are dropped
        self._loading = False
        self._exhausted = True

    # --- Qt model contract --------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == SummaryRole:
            return row
        if role == ConversationIdRole:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return row.contact_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.last_message_preview
        if role == Qt.ItemDataRole.AccessibleTextRole:
            unread = f", {row.unread_count} unread" if row.unread_count else ""
            return f"{row.contact_name} on {row.platform.value.title()}{unread}"
        return None

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802
        if self.canFetchMore(parent):
            self._load_page()

    # --- queries ----------------------------------------------------------------

    @property
    def query(self) -> InboxQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    def set_query(self, query: InboxQuery) -> None:
        """Show another view or search: start again from the newest."""
        self._query = query
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self._load_page()

    def reload(self) -> None:
        self.set_query(self._query)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _load_page(self) -> None:
        generation, query = self._generation, self._query
        after = self._rows[-1].position if self._rows else None
        self._set_loading(True)
        self._runner.run(
            lambda: self._service.inbox_page(query, after, self._page_size),
            lambda rows: self._append(generation, rows),
            lambda _: self._set_loading(False),
        )

    def _append(self, generation: int, rows: list[ConversationSummary]) -> None:
        if generation != self._generation:
            return
        known = {row.id for row in self._rows}
        fresh = [row for row in rows if row.id not in known]
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
        self._exhausted = len(rows) < self._page_size
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))

    # --- finding rows -----------------------------------------------------------

    def row_of(self, conversation_id: str) -> int:
        for number, row in enumerate(self._rows):
            if row.id == conversation_id:
                return number
        return -1

    def summary_at(self, row: int) -> ConversationSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- changes ----------------------------------------------------------------

    def apply_changes(self, changes: Changes, then: Callable[[], None] | None = None) -> None:
        """Fetch the changed conversations and move, repaint, add or drop only those rows."""
        if not changes.conversations:
            return
        generation, query = self._generation, self._query
        self._runner.run(
            lambda: self._service.refreshed(query, changes.conversations),
            lambda result: self._merge(generation, changes.conversations, *result, then=then),
        )

    def _merge(
        self,
        generation: int,
        requested: frozenset[str],
        current: dict[str, ConversationSummary],
        belong: set[str],
        *,
        then: Callable[[], None] | None,
    ) -> None:
        if generation != self._generation:
            return
        for conversation_id in sorted(requested):
            summary = current.get(conversation_id)
            if summary is None or conversation_id not in belong:
                self._remove(conversation_id)  # deleted, or no longer in this view
            else:
                self._place(summary)
        if then is not None:
            then()

    def _remove(self, conversation_id: str) -> None:
        row = self.row_of(conversation_id)
        if row >= 0:
            self.row_leaving.emit(row)
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def _target_row(self, summary: ConversationSummary, without: int) -> int:
        """Where ``summary`` belongs among the loaded rows (sorted newest first)."""
        others = self._rows[:without] + self._rows[without + 1 :] if without >= 0 else self._rows
        return bisect.bisect_left(others, True, key=lambda r: r.position < summary.position)

    def _place(self, summary: ConversationSummary) -> None:
        row = self.row_of(summary.id)
        target = self._target_row(summary, row)
        if row < 0:
            # Only add rows inside the loaded range; later ones come with paging.
            if target == len(self._rows) and not self._exhausted:
                return
            self.beginInsertRows(QModelIndex(), target, target)
            self._rows.insert(target, summary)
            self.endInsertRows()
            return
        if target != row:
            # Qt's destination is the row *before which* it goes, counted before the move.
            destination = target if target < row else target + 1
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
            del self._rows[row]
            self._rows.insert(target, summary)
            self.endMoveRows()
            row = target
        else:
            self._rows[row] = summary
        index = self.index(row)
        self.dataChanged.emit(index, index)
