"""The bar above the inbox list (#17.7): All, Unread, Waiting for us, Waiting
for them -- a split of whichever view the sidebar shows.

A tab bar, not a row of buttons: in a narrow column (a small screen, 200 %)
it scrolls its segments instead of widening the window or cutting a title.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTabBar, QVBoxLayout, QWidget

from snorq_desktop.domain.view_split import SPLIT_TIPS, SPLIT_TITLES, InboxSplit

_SPLITS = list(InboxSplit)
_SEGMENTS = """
QTabBar::tab { padding: 3px 7px; margin-right: 3px; border: 1px solid palette(mid);
               border-radius: 4px; }
QTabBar::tab:selected { background: palette(highlight); color: palette(highlighted-text);
                        border-color: palette(highlight); }
"""


class ViewSplitBar(QWidget):
    """Signals: ``split_chosen(object)``: the InboxSplit picked."""

    split_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewSplit")
        self.tabs = QTabBar(self)
        self.tabs.setObjectName("viewSplitTabs")
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.setDrawBase(False)
        self.tabs.setDocumentMode(True)
        # Narrow segments: the four fit the inbox column's usual width.
        self.tabs.setStyleSheet(_SEGMENTS)
        for index, split in enumerate(_SPLITS):
            self.tabs.addTab(SPLIT_TITLES[split])
            self.tabs.setTabToolTip(index, SPLIT_TIPS[split])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda index: self.split_chosen.emit(_SPLITS[index]))

    def titles(self) -> list[str]:
        return [self.tabs.tabText(index) for index in range(self.tabs.count())]

    def current(self) -> InboxSplit:
        return _SPLITS[max(self.tabs.currentIndex(), 0)]

    def choose(self, split: InboxSplit) -> None:
        self.tabs.setCurrentIndex(_SPLITS.index(split))
