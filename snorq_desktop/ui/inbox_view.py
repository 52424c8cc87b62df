"""The inbox list's view, and the window's keyboard rules around it.

A one-column table, not a QListView: QListView lays out every row again on each
insert (in batches of its batch size, each row asking the model for its row
count twice), so paging through 100,000 conversations asked for the row count
about 1,000 times per event-loop turn.  A table's rows are its vertical header's
sections, all one height, appended in place: a page costs the rows on screen.

Typing into the list never jumps to (opens, marks read) another customer: Qt's
type-ahead is off, so keys meant for a reply are never spent on the list.  The
focus ring is drawn in the link colour, visible in light and dark (the light
palette's selection colour is too pale to show a focused control)."""

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

from snorq_desktop.ui.conversation_delegate import row_height

FOCUS_RING = (
    "QListView:focus, QTableView:focus, QPlainTextEdit:focus, QLineEdit:focus"
    " { border: 2px solid palette(link); border-radius: 4px; }"
    " QPushButton:focus { border: 2px solid palette(link); border-radius: 4px;"
    " padding: 3px 10px; }"
)

_Cursor = QAbstractItemView.CursorAction


class InboxListView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxView")
        rows, columns = self.verticalHeader(), self.horizontalHeader()
        rows.hide()
        columns.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setMinimumSectionSize(1)
        rows.setDefaultSectionSize(row_height(self.font()))
        columns.setStretchLastSection(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setTabKeyNavigation(False)  # Tab leaves the list (for the thread), as a list's does

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        # Rows follow the font (a bigger system font, a scale change): a table's
        # rows are its header's sections, not the delegate's size hints.
        if event.type() == QEvent.Type.FontChange:
            self.verticalHeader().setDefaultSectionSize(row_height(self.font()))
        super().changeEvent(event)

    def keyboardSearch(self, search: str) -> None:  # noqa: N802
        """No type-ahead: letters typed here would open whichever name they match."""

    def moveCursor(  # noqa: N802
        self,
        cursorAction: _Cursor,  # noqa: N803
        modifiers: Qt.KeyboardModifier,
    ) -> QModelIndex:
        # Home and End go to the first and last conversation, as in a list (a
        # table's would go to the first and last column of the row).
        if cursorAction in (_Cursor.MoveHome, _Cursor.MoveEnd):
            modifiers = Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(cursorAction, modifiers)
