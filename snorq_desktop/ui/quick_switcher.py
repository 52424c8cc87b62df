"""Ctrl+K: type a few letters of a name or a message, press Enter, you are there.

However fast it is typed: an Enter that comes before the results of what was
typed waits for them and opens their best match, never the previous one."""

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListView, QVBoxLayout, QWidget

from snorq_desktop.domain.inbox import InboxQuery
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.conversation_delegate import ConversationDelegate
from snorq_desktop.ui.inbox_model import ConversationIdRole, InboxModel
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.window_fit import open_sized


class QuickSwitcher(QDialog):
    """Signals:
    - ``conversation_chosen(str)``: the id of the conversation to open.
    """

    conversation_chosen = Signal(str)

    def __init__(
        self, service: InboxService, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go to conversation")
        self.setModal(True)
        open_sized(self, 460, 420)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Name or words from a message…")
        self.search.setClearButtonEnabled(True)
        self.results = InboxModel(service, runner, page_size=20, parent=self)
        self.list = QListView(self)
        self.list.setModel(self.results)
        self.row_painter = ConversationDelegate(parent=self.list)
        self.list.setItemDelegate(self.row_painter)
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self._search)
        self.search.textChanged.connect(self._typed)
        self._enter_waiting = False  # Enter came before the results of what was typed
        self.search.returnPressed.connect(self._choose_current)
        self.list.activated.connect(self._choose)
        self.results.page_loaded.connect(self._select_first)
        self.search.installEventFilter(self)

    def open_switcher(self) -> None:
        self.search.clear()
        self._search()
        self.show()
        self.search.setFocus()

    def _typed(self, _: str) -> None:
        self._enter_waiting = False
        self._debounce.start()

    def _search(self) -> None:
        self._debounce.stop()
        self.results.set_query(InboxQuery(search=self.search.text()))

    def _shows_what_was_typed(self) -> bool:
        return (
            not self._debounce.isActive()
            and self.results.query.search == self.search.text()
            and not self.results.loading
        )

    def _select_first(self, _: int) -> None:
        if not self.list.currentIndex().isValid() and self.results.rowCount() > 0:
            self.list.setCurrentIndex(self.results.index(0))
        if self._enter_waiting and self._shows_what_was_typed():
            self._enter_waiting = False
            self._choose(self.list.currentIndex())

    def _choose_current(self) -> None:
        if self._shows_what_was_typed():
            self._choose(self.list.currentIndex())
            return
        self._enter_waiting = True
        if self._debounce.isActive() or self.results.query.search != self.search.text():
            self._search()  # now, not after the pause meant for typing

    def _choose(self, index: QModelIndex) -> None:
        if index.isValid():
            self.conversation_chosen.emit(index.data(ConversationIdRole))
            self.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Up and Down move through the results while typing.
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
        ):
            row = self.list.currentIndex().row() + (1 if event.key() == Qt.Key.Key_Down else -1)
            if 0 <= row < self.results.rowCount():
                self.list.setCurrentIndex(self.results.index(row))
            return True
        return super().eventFilter(watched, event)
