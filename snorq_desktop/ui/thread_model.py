"""One conversation's messages, oldest first.

Loads the newest page when a conversation opens, older pages when the view
scrolls to the top (``load_older``), and catches up with what was said or
what changed status when the conversation changes (``apply_changes``).  A
reply shows at once as PENDING, before the database has it.
"""

import bisect
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from snorq_desktop.domain.enums import MessageDirection, MessageStatus
from snorq_desktop.domain.inbox import Changes, ThreadMessage
from snorq_desktop.sync.inbox_service import InboxService
from snorq_desktop.ui.tasks import TaskRunner

MessageRole = Qt.ItemDataRole.UserRole + 1
StartsDayRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex
# Replies whose status may still change (FAILED too: a retry sends it again).
_MAY_CHANGE = (
    MessageStatus.PENDING,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.FAILED,
)


class ThreadModel(QAbstractListModel):
    """Signals:
    - ``about_to_add_newer()``: newer messages are about to be appended (the view
      decides whether to stay pinned to the bottom);
    - ``newer_added()``: they were;
    - ``older_added(int)``: that many older messages were put on top;
    - ``loaded(str)``: a conversation's first page arrived.
    """

    about_to_add_newer = Signal()
    newer_added = Signal()
    older_added = Signal(int)
    loaded = Signal(str)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        *,
        page_size: int = 50,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._page_size = page_size
        self._rows: list[ThreadMessage] = []
        self.conversation_id: str | None = None
        self._has_older = False
        self._loading_older = False
        self._unconfirmed: set[str] = set()  # shown, not yet read back from the database

    # --- Qt model contract --------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        if role == MessageRole:
            return message
        if role == StartsDayRole:
            if index.row() == 0:
                return True
            earlier = self._rows[index.row() - 1]
            return earlier.sent_at.astimezone().date() != message.sent_at.astimezone().date()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            who = "You" if message.direction is MessageDirection.OUTBOUND else "Customer"
            return f"{who}: {message.content or message.content_type.value.lower()}"
        return None

    # --- loading ----------------------------------------------------------------

    @property
    def has_older(self) -> bool:
        return self._has_older

    def open(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id
        self.beginResetModel()
        self._rows = []
        self._has_older = False
        self._unconfirmed = set()
        self.endResetModel()
        if conversation_id is None:
            return
        self._runner.run(
            lambda: self._service.thread(conversation_id, None, self._page_size),
            lambda rows: self._first_page(conversation_id, rows),
        )

    def _first_page(self, conversation_id: str, rows: list[ThreadMessage]) -> None:
        if conversation_id != self.conversation_id:
            return
        self._has_older = len(rows) == self._page_size
        self._unconfirmed -= {r.id for r in rows}
        unsaved = [m for m in self._rows if m.id in self._unconfirmed]
        self.beginResetModel()
        self._rows = sorted([*rows, *unsaved], key=lambda m: (m.sent_at, m.id))
        self.endResetModel()
        self.loaded.emit(conversation_id)

    def load_older(self) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None or not self._has_older or self._loading_older or not self._rows:
            return
        self._loading_older = True
        oldest = self._rows[0]
        self._runner.run(
            lambda: self._service.thread(
                conversation_id, (oldest.sent_at, oldest.id), self._page_size
            ),
            lambda rows: self._prepend(conversation_id, rows),
            lambda _: setattr(self, "_loading_older", False),
        )

    def _prepend(self, conversation_id: str, rows: list[ThreadMessage]) -> None:
        self._loading_older = False
        if conversation_id != self.conversation_id:
            return
        self._has_older = len(rows) == self._page_size
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows[0:0] = rows
            self.endInsertRows()
            # the message that was on top may no longer start a day
            first_old = self.index(len(rows))
            self.dataChanged.emit(first_old, first_old)
        self.older_added.emit(len(rows))

    # --- changes ----------------------------------------------------------------

    def show_local(self, message: ThreadMessage) -> None:
        """A reply shown before the database has it (PENDING, its id made already)."""
        self._unconfirmed.add(message.id)
        self._upsert([message])

    def apply_changes(self, changes: Changes) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None or conversation_id not in changes.messages:
            return
        saved = [m for m in self._rows if m.id not in self._unconfirmed]
        newest = (saved[-1].sent_at, saved[-1].id) if saved else None
        in_flight = [
            m.id
            for m in self._rows
            if m.direction is MessageDirection.OUTBOUND and m.status in _MAY_CHANGE
        ]

        def fetch() -> list[ThreadMessage]:
            newer = (
                self._service.thread_since(conversation_id, newest)
                if newest
                else self._service.thread(conversation_id, None, self._page_size)
            )
            return [*self._service.messages(in_flight), *newer]

        self._runner.run(fetch, lambda rows: self._merge(conversation_id, rows))

    def _merge(self, conversation_id: str, rows: list[ThreadMessage]) -> None:
        if conversation_id == self.conversation_id:
            self._unconfirmed -= {r.id for r in rows}
            self._upsert(rows)

    def _upsert(self, messages: list[ThreadMessage]) -> None:
        """Update known messages in place; insert new ones where they were said."""
        positions = {m.id: n for n, m in enumerate(self._rows)}
        added: dict[str, ThreadMessage] = {}
        for message in messages:
            if message.id in positions:
                row = positions[message.id]
                if self._rows[row] != message:
                    self._rows[row] = message
                    index = self.index(row)
                    self.dataChanged.emit(index, index)
            else:
                added[message.id] = message
        if not added:
            return
        self.about_to_add_newer.emit()
        for message in sorted(added.values(), key=lambda m: (m.sent_at, m.id)):
            row = bisect.bisect_right(
                self._rows, (message.sent_at, message.id), key=lambda m: (m.sent_at, m.id)
            )
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, message)
            self.endInsertRows()
            if row + 1 < len(self._rows):  # the next one may no longer start a day
                following = self.index(row + 1)
                self.dataChanged.emit(following, following)
        self.newer_added.emit()

    def message_at(self, row: int) -> ThreadMessage | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None
