"""The inbox list: conversations of the current view, newest activity first.

Every loaded row costs its place (activity time and id, see inbox_rows), not an object: full
summaries live in a bounded cache around what is on screen, and a row scrolled
back into view refetches its block by id (painted as a placeholder for those
few milliseconds).  Pages come in by keyset through canFetchMore/fetchMore,
never all rows; a change moves or repaints only the rows it touched, so the
selection and the scroll position survive.
"""

from collections import OrderedDict
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
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.formatting import connection_marker
from snorq_desktop.ui.inbox_rows import InboxRows
from snorq_desktop.ui.tasks import TaskRunner

SummaryRole = Qt.ItemDataRole.UserRole + 1
ConversationIdRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex
_BLOCK = 100  # rows refetched together when scrolled back into view


class InboxModel(QAbstractListModel):
    """Signals:
    - ``loading_changed(bool)``: a page is being fetched (for a progress hint);
    - ``page_loaded(int)``: rows now loaded, after each page;
    - ``row_leaving(int)``: a row is about to be removed by a change (sent before
      Qt's own signals, which already move the view's current row);
    - ``waiting_changed(int)``: how many conversations wait to move up or come in
      while the rows are held (see :meth:`hold`).
    """

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    row_leaving = Signal(int)
    waiting_changed = Signal(int)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        *,
        page_size: int = 100,
        cache_size: int = 3000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._page_size = page_size
        self._cache_size = max(cache_size, page_size * 3)
        self._rows = InboxRows()
        self._cache: OrderedDict[str, ConversationSummary] = OrderedDict()
        self._refetching: set[int] = set()  # blocks on their way
        self._query = InboxQuery()
        self._generation = 0  # results of an older query are dropped
        self._loading = False
        self._exhausted = True
        self._held = False
        self._waiting: dict[str, ConversationSummary] = {}  # held back from moving

    # --- Qt model contract --------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role == ConversationIdRole:
            return self._rows.id_at(index.row())
        row = self.summary_at(index.row())
        if row is None:
            self._refetch_block(index.row())
            return None  # painted as a placeholder until its block arrives
        if role == SummaryRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return row.contact_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.last_message_preview
        if role == Qt.ItemDataRole.AccessibleTextRole:
            unread = f", {row.unread_count} unread" if row.unread_count else ""
            labelled = f", labelled {', '.join(row.labels)}" if row.labels else ""
            marker = connection_marker(row.connection_status)
            trouble = f", {marker.lower()}" if marker else ""
            return f"{row.contact_name} on {row.platform.value.title()}{unread}{labelled}{trouble}"
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
        self._rows.clear()
        self._cache.clear()
        self._refetching.clear()
        self._set_waiting({})
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self._load_page()

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def _load_page(self) -> None:
        generation, query = self._generation, self._query
        after = self._rows.last()
        self._set_loading(True)
        self._runner.run(
            lambda: self._service.inbox_page(query, after, self._page_size),
            lambda rows: self._append(generation, rows),
            lambda _: self._set_loading(False),
        )

    def _append(self, generation: int, rows: list[ConversationSummary]) -> None:
        if generation != self._generation:
            return
        last = self._rows.last()
        # A change may already have placed one of these rows: keep it once.
        fresh = [r for r in rows if (last is None or r.position < last) and r.id not in self._rows]
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(r.position for r in fresh)
            for summary in fresh:
                self._remember(summary)
            self.endInsertRows()
        self._exhausted = len(rows) < self._page_size
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))

    # --- the row cache ----------------------------------------------------------

    def _remember(self, summary: ConversationSummary) -> None:
        self._cache[summary.id] = summary
        self._cache.move_to_end(summary.id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def summary_at(self, row: int) -> ConversationSummary | None:
        if not 0 <= row < len(self._rows):
            return None
        conversation_id = self._rows.id_at(row)
        summary = self._cache.get(conversation_id)
        if summary is not None:
            self._cache.move_to_end(conversation_id)
        return summary

    def _refetch_block(self, row: int) -> None:
        block = row // _BLOCK
        if block in self._refetching:
            return
        self._refetching.add(block)
        generation = self._generation
        first, last = block * _BLOCK, min(len(self._rows), (block + 1) * _BLOCK) - 1
        ids = self._rows.ids(first, last)
        self._runner.run(
            lambda: self._service.summaries(ids),
            lambda found: self._refetched(generation, block, found),
            lambda _: self._refetching.discard(block),
        )

    def _refetched(
        self, generation: int, block: int, found: dict[str, ConversationSummary]
    ) -> None:
        self._refetching.discard(block)
        if generation != self._generation:
            return
        for summary in found.values():
            self._remember(summary)
        first = block * _BLOCK
        last = min(len(self._rows), first + _BLOCK) - 1
        if first <= last:
            self.dataChanged.emit(self.index(first), self.index(last))

    def forget_summaries(self) -> None:
        """Every row's details are stale (a label renamed): fetch them again as they show."""
        self._cache.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    # --- finding rows -----------------------------------------------------------

    def row_of(self, conversation_id: str) -> int:
        return self._rows.row_of(conversation_id)

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

    # --- holding the rows still ------------------------------------------------

    def hold(self, held: bool) -> None:
        """``held``: rows keep their places (the pointer is over them, or they are
        scrolled): changed rows are repainted where they are, and moving up or new
        ones wait; letting go places them."""
        self._held = held
        if not held:
            self.release_waiting()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def release_waiting(self) -> None:
        """Put the waiting conversations where they belong now."""
        waiting, held = self._waiting, self._held
        self._held = False
        self._set_waiting({})
        for summary in waiting.values():
            self._place(summary)
        self._held = held

    def _set_waiting(self, waiting: dict[str, ConversationSummary]) -> None:
        changed = len(waiting) != len(self._waiting)
        self._waiting = waiting
        if changed:
            self.waiting_changed.emit(len(waiting))

    def _hold_back(self, summary: ConversationSummary, row: int) -> None:
        self._waiting[summary.id] = summary
        self.waiting_changed.emit(len(self._waiting))
        if row >= 0:  # the row shows its news in its old place
            self._remember(summary)
            self.dataChanged.emit(self.index(row), self.index(row))

    def _remove(self, conversation_id: str) -> None:
        if conversation_id in self._waiting:
            del self._waiting[conversation_id]
            self.waiting_changed.emit(len(self._waiting))
        row = self.row_of(conversation_id)
        if row >= 0:
            self.row_leaving.emit(row)
            self.beginRemoveRows(QModelIndex(), row, row)
            self._rows.delete(row)
            self._cache.pop(conversation_id, None)
            self.endRemoveRows()

    def _place(self, summary: ConversationSummary) -> None:
        row = self.row_of(summary.id)
        target = self._rows.target_row(summary.position, row)
        # Held: nothing moves or comes in above others (one after the last row moves nothing).
        if self._held and target != row and not (row < 0 and target == len(self._rows)):
            self._hold_back(summary, row)
            return
        self._remember(summary)
        if row < 0:
            # Only add rows inside the loaded range; later ones come with paging.
            if target == len(self._rows) and not self._exhausted:
                return
            self.beginInsertRows(QModelIndex(), target, target)
            self._rows.insert(target, summary.position)
            self.endInsertRows()
            return
        if target != row:
            # Qt's destination is the row *before which* it goes, counted before the move.
            destination = target if target < row else target + 1
            self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
            self._rows.delete(row)
            self._rows.insert(target, summary.position)
            self.endMoveRows()
            row = target
        else:
            self._rows.replace(row, summary.position)
        index = self.index(row)
        self.dataChanged.emit(index, index)
