"""Team ▸ Database… and Team ▸ Connections…, on the Team menu the window hands over."""

from collections.abc import Callable

from PySide6.QtWidgets import QMenu


def add_team_pages(
    menu: QMenu,
    *,
    open_database: Callable[[], object],
    open_connections: Callable[[], object],
) -> None:
    database = menu.addAction("Database…")
    database.setObjectName("teamDatabaseAction")
    database.triggered.connect(lambda: open_database())
    connections = menu.addAction("Connections…")
    connections.setObjectName("teamConnectionsAction")
    connections.triggered.connect(lambda: open_connections())
