"""The window's Team menu, shared by the pages that hang from it."""

from PySide6.QtWidgets import QMainWindow, QMenu


def team_menu(window: QMainWindow) -> QMenu:
    """The menu bar's Team menu, made on first use."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "Team":
            return menu
    return window.menuBar().addMenu("&Team")
