"""The menu bar's Team menu: the team database and the platform connections."""

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow, QMenu


def add_team_menu(
    window: QMainWindow,
    *,
    open_database: Callable[[], object],
    open_connections: Callable[[], object],
) -> QMenu:
    """A Team menu (reused if another feature made one already) with our two pages."""
    menu = next(
        (
            action.menu()
            for action in window.menuBar().actions()
            if action.menu() is not None and action.text().replace("&", "") == "Team"
        ),
        None,
    )
    if not isinstance(menu, QMenu):
        menu = window.menuBar().addMenu("&Team")
    database = menu.addAction("Database…")
    database.setObjectName("teamDatabaseAction")
    database.triggered.connect(lambda: open_database())
    connections = menu.addAction("Connections…")
    connections.setObjectName("teamConnectionsAction")
    connections.triggered.connect(lambda: open_connections())
    return menu
