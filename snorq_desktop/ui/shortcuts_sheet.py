"""Help ▸ Keyboard shortcuts… (#17.7): every key of the window on one sheet.

Built when it opens from the window's own actions -- every QAction under the
main window that has a key, grouped by the menu it sits in -- so a feature
that adds an action with a key (assign, send later…) is listed without
touching this sheet.
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.ui.window_fit import open_sized

OTHER_GROUP = "Everywhere"
NOT_WHILE_TYPING = "The single-letter keys work in the inbox and the thread, never while typing."
_KEY_STYLE = "border: 1px solid palette(mid); border-radius: 4px; padding: 1px 6px;"


def _plain(title: str) -> str:
    """A menu's or an action's title as read: no mnemonic, no tab, no dots."""
    return title.replace("&&", "\0").replace("&", "").replace("\0", "&").split("\t")[0].rstrip("…")


def _group_of(action: QAction) -> str:
    for owner in action.associatedObjects():
        if isinstance(owner, QMenu) and owner.title():
            return _plain(owner.title())
    return OTHER_GROUP


def _written(keys: list[QKeySequence]) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)


def window_shortcuts(window: QMainWindow) -> dict[str, list[tuple[str, str]]]:
    """Group → (what it does, its keys as the platform writes them), in the
    menu bar's order, then the keys of no menu (a QShortcut that says what it
    does in its whatsThis), each once."""
    found: dict[str, list[tuple[str, str]]] = {}
    for action in window.findChildren(QAction):
        keys = [key for key in action.shortcuts() if not key.isEmpty()]
        if keys and action.text():
            entry = (_plain(action.text()), _written(keys))
            group = found.setdefault(_group_of(action), [])
            if entry not in group:
                group.append(entry)
    for shortcut in window.findChildren(QShortcut):
        if shortcut.whatsThis() and not shortcut.key().isEmpty():
            found.setdefault(OTHER_GROUP, []).append(
                (shortcut.whatsThis(), _written([shortcut.key()]))
            )
    menus = [_plain(a.text()) for a in window.menuBar().actions()]
    order = {name: n for n, name in enumerate(menus)}
    return dict(sorted(found.items(), key=lambda item: order.get(item[0], len(order))))


class ShortcutsSheet(QDialog):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsSheet")
        self.setWindowTitle("Keyboard shortcuts")
        self.groups = window_shortcuts(window)
        sheet = QWidget(self)
        grid = QGridLayout(sheet)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(16)
        row = 0
        bold = QFont(self.font())
        bold.setBold(True)
        for group, actions in self.groups.items():
            title = QLabel(group, sheet)
            title.setFont(bold)
            grid.addWidget(title, row, 0, 1, 2)
            row += 1
            for what, keys in actions:
                key = QLabel(keys, sheet)
                key.setStyleSheet(_KEY_STYLE)
                key.setAlignment(Qt.AlignmentFlag.AlignCenter)
                said = QLabel(what, sheet)
                said.setWordWrap(True)
                grid.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(said, row, 1)
                row += 1
            grid.setRowMinimumHeight(row, 8)
            row += 1
        grid.setRowStretch(row, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(sheet)
        note = QLabel(NOT_WHILE_TYPING, self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        open_sized(self, 440, 520)


def add_shortcuts_sheet(window: QMainWindow, help_menu: QMenu) -> QAction:
    """Help ▸ Keyboard shortcuts… (Ctrl+/), opening a sheet read afresh each time."""
    action = QAction("Keyboard shortcuts…", window)
    action.setObjectName("shortcutsAction")
    action.setShortcut(QKeySequence("Ctrl+/"))
    action.triggered.connect(lambda: open_sheet(window))
    help_menu.addAction(action)
    return action


def open_sheet(window: QMainWindow) -> ShortcutsSheet:
    sheet = ShortcutsSheet(window)
    sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    sheet.show()
    return sheet
