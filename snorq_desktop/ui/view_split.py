"""The bar above the inbox list (#17.7): All, Unread, Waiting for us, Waiting
for them -- a split of whichever view the sidebar shows."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QSizePolicy, QToolButton, QWidget

from snorq_desktop.domain.view_split import SPLIT_TIPS, SPLIT_TITLES, InboxSplit

_BAR_STYLE = """
QToolButton { border: 1px solid palette(mid); padding: 2px 8px; border-radius: 0; }
QToolButton:checked { background: palette(highlight); color: palette(highlighted-text); }
"""


class ViewSplitBar(QWidget):
    """Signals: ``split_chosen(object)``: the InboxSplit picked."""

    split_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewSplit")
        self.setStyleSheet(_BAR_STYLE)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[InboxSplit, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for split in InboxSplit:
            button = QToolButton(self)
            button.setObjectName(f"split_{split.value}")
            button.setText(SPLIT_TITLES[split])
            button.setToolTip(SPLIT_TIPS[split])
            button.setCheckable(True)
            # Shares the column's width; a narrow column wraps no word: each
            # button keeps its whole title (its minimum is its text).
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, split=split: self.choose(split))
            self.group.addButton(button)
            self.buttons[split] = button
            row.addWidget(button)
        self.buttons[InboxSplit.ALL].setChecked(True)
        self._current = InboxSplit.ALL

    def current(self) -> InboxSplit:
        return self._current

    def choose(self, split: InboxSplit) -> None:
        self.buttons[split].setChecked(True)
        if split is not self._current:
            self._current = split
            self.split_chosen.emit(split)
