"""The inbox list's view, and the window's keyboard rules around it.

Typing into the list never jumps to (opens, marks read) another customer: Qt's
type-ahead is off, so keys meant for a reply are never spent on the list.  The
focus ring is drawn in the link colour, visible in light and dark (the light
palette's selection colour is too pale to show a focused control)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

FOCUS_RING = (
    "QListView:focus, QPlainTextEdit:focus, QLineEdit:focus"
    " { border: 2px solid palette(link); border-radius: 4px; }"
    " QPushButton:focus { border: 2px solid palette(link); border-radius: 4px;"
    " padding: 3px 10px; }"
)


class InboxListView(QListView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxView")
        self.setUniformItemSizes(True)
        # Lay out new pages a batch at a time between events: a 100,000-row
        # inbox never freezes the window while it grows.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(500)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QListView.Shape.NoFrame)
        # A row is as wide as the list, never wider: nothing to scroll sideways to.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def keyboardSearch(self, search: str) -> None:  # noqa: N802
        """No type-ahead: letters typed here would open whichever name they match."""
