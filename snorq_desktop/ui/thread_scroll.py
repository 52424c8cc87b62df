"""Where the thread's list stays as it changes: pinned to the newest message
while the person is at the bottom, and still on the message they were reading
when older ones are added above it."""

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QListView

from snorq_desktop.ui.thread_model import ThreadModel

_PIN_SLACK = 24  # px from the bottom that still counts as "at the bottom"


class ThreadScroll:
    """``pinned``: the newest message is to stay in sight (set again when the
    person opens a conversation or sends)."""

    def __init__(self, view: QListView, model: ThreadModel) -> None:
        self._view = view
        self._model = model
        self.pinned = True
        self._height_before_older = 0
        view.verticalScrollBar().valueChanged.connect(self._scrolled)
        model.about_to_add_newer.connect(self._remember_pin)
        model.newer_added.connect(self._keep_pin)
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.older_added.connect(self._after_older)

    def unpin(self) -> None:
        self.pinned = False

    def range_changed(self, _low: int, high: int) -> None:
        if self.pinned:
            self._view.verticalScrollBar().setValue(high)

    def _at_bottom(self) -> bool:
        bar = self._view.verticalScrollBar()
        return bar.value() >= bar.maximum() - _PIN_SLACK

    def _remember_pin(self) -> None:
        self.pinned = self.pinned or self._at_bottom()

    def _keep_pin(self) -> None:
        if self.pinned:
            self._view.scrollToBottom()

    def _scrolled(self, value: int) -> None:
        self.pinned = self._at_bottom()
        if value <= 40 and self._model.has_older:
            self._model.load_older()

    def _before_insert(self, _parent: QModelIndex, first: int, _last: int) -> None:
        if first == 0 and self._model.rowCount() > 0:
            bar = self._view.verticalScrollBar()
            self._height_before_older = bar.maximum() - bar.value()

    def _after_older(self, added: int) -> None:
        if added:
            # Keep the message the user was looking at in place.
            self._view.doItemsLayout()
            bar = self._view.verticalScrollBar()
            bar.setValue(bar.maximum() - self._height_before_older)
