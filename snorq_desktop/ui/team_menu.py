"""Team ▸ Database…, Team ▸ Connections… and Team ▸ Plan…, on the Team menu the
window hands over."""

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


class KeptDialog(Protocol):
    def reload(self) -> None: ...
    def show(self) -> None: ...
    def raise_(self) -> None: ...


def add_kept_dialog(menu: QMenu, text: str, name: str, make: Callable[[], KeptDialog]) -> QAction:
    """A menu entry whose dialog is made on first use and kept: opened again, it
    reloads what it shows and comes to the front (Members…, API keys…)."""
    action = menu.addAction(text)
    action.setObjectName(name)
    opened: list[KeptDialog] = []

    def show() -> None:
        if not opened:
            opened.append(make())
        else:
            opened[0].reload()
        opened[0].show()
        opened[0].raise_()

    action.triggered.connect(show)
    return action


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
