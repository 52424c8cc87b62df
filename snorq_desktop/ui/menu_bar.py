"""The main window's menu bar: made whole by the window, in the usual order, and
handed to the features that add their actions (each gets the menu it needs)."""

from dataclasses import dataclass

from PySide6.QtWidgets import QMainWindow, QMenu


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
    return menus
