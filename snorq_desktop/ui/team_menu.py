"""Team ▸ Database…, Team ▸ Connections… and Team ▸ Plan…, on the Team menu the
window hands over."""

from collections.abc import Callable

from PySide6.QtWidgets import QMenu


def add_team_pages(
    menu: QMenu,
    *,
    open_database: Callable[[], object],
    open_connections: Callable[[], object],
    open_plan: Callable[[], object] | None = None,
) -> None:
    database = menu.addAction("Database…")
    database.setObjectName("teamDatabaseAction")
    database.triggered.connect(lambda: open_database())
    connections = menu.addAction("Connections…")
    connections.setObjectName("teamConnectionsAction")
    connections.triggered.connect(lambda: open_connections())
    if open_plan is not None:
        plan = menu.addAction("Plan…")
        plan.setObjectName("teamPlanAction")
        plan.triggered.connect(lambda: open_plan())
