"""The main window's menu bar: made whole by the window, in the usual order, and
handed to the features that add their actions (each gets the menu it needs)."""

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

QUIT_NAME = "quitAction"


@dataclass(frozen=True)
class WindowMenus:
    file: QMenu
    view: QMenu
    labels: QMenu
    team: QMenu
    conversation: QMenu  # what is done to the open conversation (snooze, close)
    help: QMenu  # last, as everywhere


def build_menu_bar(window: QMainWindow) -> WindowMenus:
    """File first and the rest as people expect to find them."""
    bar = window.menuBar()
    menus = WindowMenus(
        file=bar.addMenu("&File"),
        view=bar.addMenu("&View"),
        labels=bar.addMenu("&Labels"),
        team=bar.addMenu("&Team"),
        conversation=bar.addMenu("&Conversation"),
        help=bar.addMenu("&Help"),
    )
    for menu, name in (
        (menus.file, "fileMenu"),
        (menus.view, "viewMenu"),
        (menus.labels, "labelsMenu"),
        (menus.team, "teamMenu"),
        (menus.conversation, "conversationMenu"),
        (menus.help, "helpMenu"),
    ):
        menu.setObjectName(name)
    # File ▸ Quit, last: it closes the window as its title bar's button does
    # (unsent replies are asked about first).  Ctrl+Q named outright (⌘Q on a
    # Mac): the platform's standard Quit key is none on Windows.
    menus.file.addSeparator()
    quit_action = menus.file.addAction("&Quit")
    quit_action.setObjectName(QUIT_NAME)
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    quit_action.triggered.connect(window.close)
    window.addAction(quit_action)  # the key works also while the menu bar is hidden
    return menus


def add_above_quit(menu: QMenu, action: QAction) -> None:
    """``action`` in ``menu`` above File's separator and Quit, which stay last."""
    entries = menu.actions()
    quits = [n for n, entry in enumerate(entries) if entry.objectName() == QUIT_NAME]
    if not quits or quits[0] == 0:
        menu.addAction(action)
        return
    menu.insertAction(entries[quits[0] - 1], action)
