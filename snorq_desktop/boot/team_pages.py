"""Team ▸ Database…, Team ▸ Connections… and Team ▸ Plan… (with the plan's banner):
their services built and handed to the pages (part of the composition root,
like window.py)."""

import json
import webbrowser
from collections.abc import Callable

from PySide6.QtCore import QTimer

from snorq_desktop.auth.platform_login import LoginEndpoints, Opener, PlatformLogin
from snorq_desktop.boot.app import (
    Database,
    Plumbing,
    database_passwords,
    remember_team_database,
    token_cipher,
    token_key_store,
)
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.licence import PlanStatus
from snorq_desktop.domain.tokens import TokenSealer
from snorq_desktop.services.connections import ConnectionsService
from snorq_desktop.services.plan import PlanService
from snorq_desktop.services.team_database import TeamDatabaseService
from snorq_desktop.store.team_address import team_database_from_url
from snorq_desktop.ui.connections_page import ConnectionsPage
from snorq_desktop.ui.main_window import MainWindow
from snorq_desktop.ui.plan_page import PlanBanner, PlanPage
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.team_database_page import TeamDatabasePage
from snorq_desktop.ui.team_menu import add_team_pages

PLAN_EVERY_MS = 3600_000


class TeamPages:
    """One of each page at a time, opened from the Team menu and from the
    reply box's "Reconnect…"."""

    def __init__(
        self,
        window: MainWindow,
        database: Database,
        settings: Settings,
        paths: AppPaths,
        plumbing: Plumbing,
        *,
        movable: bool,
        sealer: TokenSealer | None,
        endpoints: LoginEndpoints | None = None,
        opener: Opener = webbrowser.open,
        on_connected: Callable[[str], None] | None = None,
        origin: str = "",
        plan: PlanService | None = None,
        runner: TaskRunner | None = None,
    ) -> None:
        """``origin``: the window's id on the team's notices (it skips their echo).
        ``plan`` and ``runner``: Team ▸ Plan… and its banner (with a signed-in
        organisation only)."""
        self._window = window
        self._origin = origin
        self._database = database
        self._settings = settings
        self._paths = paths
        self._movable = movable  # the built-in database of the user's own data
        self._sealer = sealer
        self._endpoints = endpoints or LoginEndpoints()
        self._opener = opener
        self._on_connected = on_connected
        self._plumbing = plumbing
        self.database_page: TeamDatabasePage | None = None
        self.connections_page: ConnectionsPage | None = None
        self.plan_page: PlanPage | None = None
        self._plan = plan
        self._runner = runner
        self.plan_banner: PlanBanner | None = None
        has_plan = plan is not None and runner is not None and window.identity is not None
        add_team_pages(
            window.menus.team,
            open_database=self.open_database_page,
            open_connections=self.open_connections_page,
            open_plan=self.open_plan_page if has_plan else None,
        )
        if has_plan:
            self.plan_banner = PlanBanner(window)
            window.banners.insertWidget(0, self.plan_banner)
            # A window left open for days still shows the 14-day warning, and the end.
            self._plan_timer = QTimer(window)
            self._plan_timer.setInterval(PLAN_EVERY_MS)
            self._plan_timer.timeout.connect(self.refresh_plan)
            self._plan_timer.start()
            self.refresh_plan()
        window.thread_pane.reconnect_requested.connect(self.open_connections_page)

    def _seal_with(self) -> TokenSealer:
        if self._sealer is not None:
            return self._sealer
        # Made on first use: a new user's first connection creates the key.
        self._sealer = token_cipher(token_key_store(self._settings, self._paths))
        return self._sealer

    def open_database_page(self) -> TeamDatabasePage:
        if self.database_page is None:
            database = self._database
            service = TeamDatabaseService(
                database.engine if self._movable else None,
                lambda address: remember_team_database(self._settings, self._paths, address),
                lambda: database_passwords(self._settings, self._paths),
            )
            current = None if database.embedded else team_database_from_url(database.engine.url)
            page = TeamDatabasePage(
                service,
                current,
                self._plumbing.worker,
                self._window,
                cannot_move="" if self._movable else self._why_not_movable(),
            )
            page.switched.connect(self._window.database_moved)
            page.finished.connect(lambda _: self._forget("database_page"))
            self.database_page = page
        self.database_page.show()
        self.database_page.raise_()
        return self.database_page

    def _why_not_movable(self) -> str:
        if self._database.embedded:  # the built-in database, but the demo's
            return (
                "the demo's sample shop stays in the demo. Start SNORQ Desktop without "
                "--demo to move your own conversations to a team database."
            )
        return "your data is already in a team database; there is nothing built-in to move."

    def open_connections_page(self, connection_id: str | None = None) -> ConnectionsPage:
        if self.connections_page is None:
            identity = self._window.identity
            service = ConnectionsService(
                self._database.sessions,
                self._seal_with,
                identity.organization_id if identity else None,
                PlatformLogin(self._plumbing.http, self._endpoints, opener=self._opener),
                self._plumbing.http,
                relay_url=self._settings.relay_url,
                origin=self._origin,
            )
            page = ConnectionsPage(service, self._plumbing.worker, self._window)
            if self._on_connected is not None:
                page.connected.connect(self._on_connected)
            page.states_changed.connect(self._window.connection_states_changed)
            page.finished.connect(lambda _: self._forget("connections_page"))
            self.connections_page = page
        if isinstance(connection_id, str):
            self.connections_page.show_connection(connection_id)
        self.connections_page.show()
        self.connections_page.raise_()
        return self.connections_page

    # --- the plan -------------------------------------------------------------

    def open_plan_page(self) -> PlanPage:
        assert self._plan is not None
        assert self._runner is not None
        identity = self._window.identity
        assert identity is not None
        if self.plan_page is None:
            page = PlanPage(self._plan, self._runner, identity, self._window)
            page.changed.connect(self._show_plan)
            page.finished.connect(lambda _: self._forget("plan_page"))
            self.plan_page = page
        else:
            self.plan_page.reload()
        self.plan_page.show()
        self.plan_page.raise_()
        return self.plan_page

    def refresh_plan(self) -> None:
        identity = self._window.identity
        if self._plan is None or self._runner is None or identity is None:
            return
        plan, org = self._plan, identity.organization_id
        self._runner.run(lambda: plan.status(org), self._show_plan)

    def _show_plan(self, status: PlanStatus) -> None:
        if self.plan_banner is not None:
            self.plan_banner.show_status(status)
        if self.plan_page is not None:
            self.plan_page.show_status(status)

    def on_team_notice(self, payload: str) -> None:
        """A licence was entered or ended in some app of the team: show the plan now."""
        try:
            notice = json.loads(payload)
        except ValueError:
            return
        identity = self._window.identity
        if (
            isinstance(notice, dict)
            and notice.get("plan")
            and identity is not None
            and notice.get("o") == identity.organization_id
        ):
            self.refresh_plan()

    def _forget(self, name: str) -> None:
        page = getattr(self, name)
        setattr(self, name, None)
        if page is not None:
            page.deleteLater()

    def close(self) -> None:
        for page in (self.database_page, self.connections_page, self.plan_page):
            if page is not None:
                page.done(0)
