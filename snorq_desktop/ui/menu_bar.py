"""The menu bar, shared by the features that hang menus from it: each asks for
its menu by title, and the bar keeps the usual order whoever asks first."""

from PySide6.QtWidgets import QMainWindow, QMenu

# File first and the rest as people expect to find them.
ORDER = ("&File", "&View", "&Labels", "&Team")


def _plain(title: str) -> str:
    return title.replace("&", "")


def menu_named(window: QMainWindow, title: str) -> QMenu:
    """The menu bar's menu of this title, made (in its place in ORDER) if missing."""
    bar = window.menuBar()
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and _plain(menu.title()) == _plain(title):
            return menu
    menu = QMenu(title, bar)
    places = [_plain(t) for t in ORDER]
    if _plain(title) in places:
        rank = places.index(_plain(title))
        for action in bar.actions():
            other = action.menu()
            if (
                isinstance(other, QMenu)
                and _plain(other.title()) in places
                and places.index(_plain(other.title())) > rank
            ):
                bar.insertMenu(action, menu)
                return menu
    bar.addMenu(menu)
    return menu
