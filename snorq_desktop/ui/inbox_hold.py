"""The inbox does not move under the pointer: while the pointer is over the list,
or the list is scrolled away from the top, rows keep their places and a
"N new ↑" pill says what waits; clicking it (or leaving the list at its top)
puts them in order.  The selection stays on the conversation chosen."""

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QPushButton
from shiboken6 import isValid

from snorq_desktop.ui.inbox_model import InboxModel

PILL_TOP = 6  # px below the list's top edge


class InboxHold(QObject):
    def __init__(self, view: QAbstractItemView, model: InboxModel) -> None:
        super().__init__(view)
        self._view = view
        self._model = model
        self.pointer_over = False
        self.pill = QPushButton(view)
        self.pill.setObjectName("newActivityPill")
        self.pill.setCursor(Qt.CursorShape.PointingHandCursor)
        self.pill.setStyleSheet(
            "QPushButton { background: palette(highlight); color: palette(highlighted-text);"
            " border-radius: 12px; padding: 4px 14px; font-weight: 600; }"
        )
        self.pill.hide()
        self.pill.clicked.connect(self.show_newest)
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)
        view.installEventFilter(self)
        view.verticalScrollBar().valueChanged.connect(lambda _: self.update())
        model.waiting_changed.connect(self._show_waiting)
        model.modelReset.connect(self.update)

    def scrolled_away(self) -> bool:
        return self._view.verticalScrollBar().value() > 0

    def update(self) -> None:
        self._model.hold(self.pointer_over or self.scrolled_away())

    def show_newest(self) -> None:
        """The pill: to the top, with everything in its place."""
        self._model.release_waiting()
        self._view.scrollToTop()
        self.update()

    def _show_waiting(self, count: int) -> None:
        self.pill.setText(f"{count} new ↑")
        self.pill.adjustSize()
        self.pill.move((self._view.width() - self.pill.width()) // 2, PILL_TOP)
        self.pill.setVisible(count > 0)
        self.pill.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if not isValid(self._view):  # the window is going: its last events
            return False
        if watched is self._viewport and kind in (QEvent.Type.Enter, QEvent.Type.Leave):
            self.pointer_over = kind == QEvent.Type.Enter
            self.update()
        elif watched is self._view and kind == QEvent.Type.Resize and self.pill.isVisible():
            self._show_waiting(self._model.waiting)
        return False
