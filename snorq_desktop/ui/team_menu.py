"""The menu bar's Team menu, shared by the pages that hang from it (members,
the team database, the platform connections)."""

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow, QMenu

from snorq_desktop.ui.menu_bar import menu_named


def team_menu(window: QMainWindow) -> QMenu:
    """The menu bar's Team menu, made on first use."""
    return menu_named(window, "&Team")


def add_team_menu(
    window: QMainWindow,
    *,
    open_database: Callable[[], object],
    open_connections: Callable[[], object],
) -> QMenu:
    """The Team menu with the team database's and the connections' pages."""
    menu = team_menu(window)
    database = menu.addAction("Database…")
    database.setObjectName("teamDatabaseAction")
    database.triggered.connect(lambda: open_database())
    connections = menu.addAction("Connections…")
    connections.setObjectName("teamConnectionsAction")
    connections.triggered.connect(lambda: open_connections())
    return menu
