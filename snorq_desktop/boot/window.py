"""Starting the window: Qt, the database, the worker and the demo, wired together.

Part of the composition root (like app.py), kept apart so the command line
does not load Qt for `db` or `keys` commands.
"""

import asyncio
import contextlib
import gc
import linecache
import logging
import shutil
import sys
import time
import webbrowser
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import qasync
from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from snorq_desktop import __version__
from snorq_desktop.auth.platform_login import LoginEndpoints, Opener
from snorq_desktop.boot.accounts import sign_out, team_service
from snorq_desktop.boot.app import (
    Database,
    Plumbing,
    open_database,
    open_plumbing,
    optional_cipher,
    platform_clients,
)
from snorq_desktop.boot.demo_database import open_demo
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.screen import check_screen, use_qt_style
from snorq_desktop.boot.settings import Settings
from snorq_desktop.boot.sign_in_window import Started, signed_in_or_first_run
from snorq_desktop.boot.starting_up import while_showing
from snorq_desktop.boot.stop_signal import StopOnSignal
from snorq_desktop.boot.team_pages import TeamPages
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.team_notice import team_channel
from snorq_desktop.domain.tokens import TokenSealer
from snorq_desktop.secrets.licence import LicenceKeys
from snorq_desktop.services.analytics import AnalyticsService
from snorq_desktop.services.api_keys import ApiKeyService
from snorq_desktop.services.avatars import AvatarDownloader
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.plan import PlanService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.services.team import TeamService
from snorq_desktop.store.database import listen_conninfo
from snorq_desktop.sync.engine import SyncEngine
from snorq_desktop.sync.listener import ChangeListener
from snorq_desktop.sync.outbox_sender import OutboxBell
from snorq_desktop.sync.runner import SyncRunner
from snorq_desktop.ui.api_keys_dialog import add_api_keys_menu
from snorq_desktop.ui.avatars import CachedAvatars
from snorq_desktop.ui.icons import svg_icon
from snorq_desktop.ui.live_updates import LiveUpdatesBanner
from snorq_desktop.ui.main_window import MainWindow
from snorq_desktop.ui.members import add_members_menu
from snorq_desktop.ui.qt_messages import route_qt_messages_to_logging
from snorq_desktop.ui.records_menus import RecordsMenus
from snorq_desktop.ui.sign_out import add_sign_out_menu, ask_before_closing
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.team_notices import TeamNotices
from snorq_desktop.ui.theme import follow_system_theme
from snorq_desktop.ui.thread_pane import TemplateSource

if TYPE_CHECKING:  # the demo (fake platforms, a relay server) loads only for --demo
    from snorq_desktop.demo.world import DemoWorld

log = logging.getLogger(__name__)

DEMO_INTERVAL_MS = 4000
DEMO_SYNC_INTERVAL_SECONDS = 5.0
OPENED_FILES_KEPT_SECONDS = 86_400.0
FINISH_SECONDS = 30.0  # at most this long for the pass in progress when closing


@dataclass
class RunningWindow:
    window: MainWindow
    plumbing: Plumbing
    runner: TaskRunner
    service: InboxService
    demo_timer: QTimer | None
    avatars: AvatarDownloader
    listener: ChangeListener | None = None
    sync: SyncRunner | None = None
    loop: asyncio.AbstractEventLoop | None = None
    team: TeamPages | None = None
    records: RecordsMenus | None = None
    owns_plumbing: bool = False  # made for this window: ended with it

    def close(self) -> None:
        if self.team is not None:
            self.team.close()
        if self.sync is not None and self.loop is not None:
            finish(self.loop, self.sync.stop())
        if self.demo_timer is not None:
            self.demo_timer.stop()
        if self.listener is not None:
            self.listener.stop()
        self.window.close_without_asking()
        self.runner.stop()
        if self.owns_plumbing:
            close_plumbing(self.plumbing, self.loop)


def close_plumbing(plumbing: Plumbing, loop: asyncio.AbstractEventLoop | None) -> None:
    """The worker and the clients; the loop's client on its loop (if it has one)."""
    if loop is not None and not loop.is_closed():
        finish(loop, loop.create_task(plumbing.aclose()))
    plumbing.close()


def build_window(
    database: Database,
    paths: AppPaths,
    *,
    demo: bool,
    send_key: str = "ctrl+enter",
    sealer: TokenSealer | None = None,
    sync_interval: float | None = None,
    world: "DemoWorld | None" = None,
    loop: asyncio.AbstractEventLoop | None = None,
    settings: Settings | None = None,
    login_endpoints: LoginEndpoints | None = None,
    browser: Opener | None = None,
    user_id: str | None = None,
    team: TeamService | None = None,
    plumbing: Plumbing | None = None,
    templates: TemplateSource | None = None,
    confirm_close: Callable[[int], bool] | None = None,
    licence_keys: LicenceKeys | None = None,
) -> RunningWindow:
    """The main window over ``database``.

    ``sync_interval``: run the sync engine (polling, outbox, webhooks) every so
    many seconds while the window is open; None: do not sync (tests, screenshots).
    ``world``: the demo's fake platforms, whose customers keep writing.
    ``loop``: the asyncio loop the sync engine runs on (qasync's, i.e. Qt's own);
    needed when ``sync_interval`` is given.
    ``login_endpoints`` / ``browser``: where platform logins go and what opens
    them (tests: the fakes and a scripted browser).
    ``plumbing``: the app's worker and HTTP clients (None: made for this window,
    and ended with it).  ``templates``: where WhatsApp templates come from when
    not from the sync engine (tests, screenshots).  ``licence_keys``: the key
    licences are checked against (None: SNORQ's built-in one; the demo's own for
    the demo; tests give theirs).
    """
    owns_plumbing = plumbing is None
    if plumbing is None:
        plumbing = open_plumbing()
    runner = TaskRunner(plumbing.worker)
    journal = ReplyJournal(
        paths.data / ("demo-replies.json" if demo else "unsaved-replies.json"), told=runner.tell
    )
    # A stored reply rings it: the outbox sender sends at once, not at the next pass.
    outbox_bell = OutboxBell()
    service = InboxService(
        database.sessions, journal, acting_user_id=user_id, reply_stored=outbox_bell.ring
    )
    identity: Identity | None = plumbing.worker.submit(service.identity).result()
    if licence_keys is None:
        licence_keys = LicenceKeys.demo() if demo else LicenceKeys.built_in()
    plan = PlanService(database.sessions, licence_keys)
    state = QSettings(str(paths.config / "window.ini"), QSettings.Format.IniFormat)
    downloader = AvatarDownloader(paths.cache / "avatars", plumbing.http, plumbing.worker)
    avatars = CachedAvatars(downloader)
    sync = None
    if identity is not None and sync_interval is not None:
        if loop is None:
            raise ValueError("syncing needs the window's asyncio loop")
        loop_http = plumbing.loop_http

        def make_engine() -> SyncEngine:
            # The platform clients use the root's one client on the loop.
            clients = (
                platform_clients(loop_http, world.graph_url, world.tiktok_url)
                if world is not None
                else platform_clients(loop_http)
            )
            # The service's origin: the window skips the NOTIFY echo of what the
            # engine changed, since the runner hands it over (on_changes).
            return SyncEngine(
                database.engine, database.sessions, sealer, clients, origin=service.origin
            )

        sync = SyncRunner(
            make_engine,
            loop=loop,
            interval=sync_interval,
            # The window exists before the first pass ends: each pass's changes go to it.
            on_changes=lambda changes: window.apply_changes(changes),
            outbox_bell=outbox_bell,
        )
    files_folder = paths.cache / "files"
    forget_opened_files(files_folder)
    window = MainWindow(
        service,
        runner,
        state,
        identity,
        title_suffix=" (demo)" if demo else "",
        avatars=avatars,
        send_key=send_key,
        files_folder=files_folder,
        template_source=sync.templates if sync is not None else templates,
        confirm_close=confirm_close,
    )
    avatars.setParent(window)
    avatars.avatar_ready.connect(lambda _: window.inbox_view.viewport().update())
    if identity is not None:
        add_members_menu(
            window.menus.team,
            window,
            team or TeamService(database.sessions, plan=plan),
            runner,
            identity,
        )
        add_api_keys_menu(
            window.menus.team, window, ApiKeyService(database.sessions), runner, identity
        )
    runner.run(service.store_journalled_replies, window.apply_changes)
    demo_timer = None
    if world is not None:
        demo_timer = QTimer(window)
        demo_timer.setInterval(DEMO_INTERVAL_MS)
        # Off the UI thread: it reads the database and posts a webhook to the relay.
        demo_timer.timeout.connect(lambda: runner.run(world.customer_writes))
        demo_timer.start()
    if sync is not None and loop is not None:
        sync.start()
        sync_loop = loop
        # Read receipts to the platform, best effort, after the person opened it.
        window.thread_pane.conversation_read.connect(
            lambda conversation_id: runner.run(
                lambda: service.read_receipt(conversation_id),
                lambda receipt: sync.send_read_receipt(receipt) if receipt else None,
            )
        )
        # The data moved to a team database: this app's engine stops writing here.
        window.left_database.connect(lambda _: finish(sync_loop, sync.stop()))
    listener = None
    if identity is not None:
        notices = TeamNotices(window)
        notices.heard.connect(window.on_team_notice)
        # On every (re)connect, catch up on whatever the team did meanwhile, and
        # store the webhooks that arrived while no app was listening.
        notices.reconnected.connect(window.catch_up)
        take_in = sync.take_in if sync is not None else lambda: None

        def connected() -> None:
            notices.reconnected.emit()
            take_in()

        listener = ChangeListener(
            listen_conninfo(database.engine.url, (settings or Settings()).listen_url),
            team_channel(identity.organization_id),
            on_team_notice=notices.heard.emit,
            on_webhook=take_in,
            on_connected=connected,
            on_live=notices.live_changed.emit,
        )
        live = LiveUpdatesBanner(window, window.banners, listener.catch_up_seconds)
        notices.live_changed.connect(live.show_live)
        listener.start()
    if login_endpoints is None and world is not None:
        # The demo logs in to its own fake platforms, never to the real ones.
        login_endpoints = LoginEndpoints(
            facebook_dialog=f"{world.meta.url}/v21.0/dialog/oauth",
            graph=world.graph_url,
            tiktok_authorize=f"{world.tiktok.url}/v2/auth/authorize/",
            tiktok_api=world.tiktok_url,
        )
    pages = TeamPages(
        window,
        database,
        settings or Settings(),
        paths,
        plumbing,
        movable=database.embedded and not demo,
        sealer=sealer,
        endpoints=login_endpoints,
        opener=browser or webbrowser.open,
        on_connected=(lambda _: sync.wake()) if sync is not None else None,
        origin=service.origin,
        plan=plan,
        runner=runner,
    )
    if listener is not None:
        notices.heard.connect(pages.on_team_notice)  # a licence entered by another app
    records = None
    if identity is not None:
        # Dashboard, backups and the history notice (View and File menus, a banner).
        records = RecordsMenus(
            window,
            AnalyticsService(database.engine, database.sessions, lambda: service.organization_id),
            runner,
            plumbing.worker,
            file_menu=window.menus.file,
            view_menu=window.menus.view,
            banners=window.banners,
            pause_sync=lambda: sync.pause() if sync is not None else None,
            resume_sync=lambda: sync.resume() if sync is not None else None,
            after_restore=lambda: runner.run(service.identity, lambda _: window.catch_up()),
            state=state,
        )
    # PySide's import hook reads the whole source of every module that imports
    # it (to look for `from __feature__`), and linecache keeps it all: 13 MB of
    # text for the life of the app.  Freed here, the inbox's rows reuse it.
    linecache.clearcache()
    return RunningWindow(
        window,
        plumbing,
        runner,
        service,
        demo_timer,
        downloader,
        listener,
        sync,
        loop,
        pages,
        records,
        owns_plumbing,
    )


def forget_opened_files(folder: Path, older_than: float = OPENED_FILES_KEPT_SECONDS) -> None:
    """Copies of files written out for the system's viewer are not kept: the
    database holds the files, and a FREE shop's history must not outlive its
    30 days on disk.  A day's grace lets a viewer still have one open."""
    if not folder.is_dir():
        return
    cutoff = time.time() - older_than
    for copy in folder.iterdir():
        with contextlib.suppress(OSError):
            if copy.stat().st_mtime >= cutoff:
                continue
            if copy.is_dir():
                shutil.rmtree(copy)
            else:
                copy.unlink()


def finish(loop: asyncio.AbstractEventLoop, task: "asyncio.Task[None] | None") -> None:
    """Let the sync pass in progress end (its network calls, its transaction)."""
    if task is None or task.done():
        return
    deadline = time.monotonic() + FINISH_SECONDS
    if loop.is_running():
        # Qt's loop is turning (a test, or a window closed from inside the app):
        # asyncio's callbacks run as Qt processes events.
        while not task.done() and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return
    with contextlib.suppress(TimeoutError):
        loop.run_until_complete(asyncio.wait_for(task, FINISH_SECONDS))


def run_window(
    settings: Settings,
    paths: AppPaths,
    *,
    demo: bool,
    quit_after_ms: int = 0,
    style: str | None = None,
) -> int:
    check_screen()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("SNORQ Desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("snorq-desktop")
    app.setWindowIcon(svg_icon("snorq"))
    route_qt_messages_to_logging()
    follow_system_theme(app)
    if style:
        use_qt_style(app, style)
    if demo and settings.database_url:
        raise KnownError("--demo uses its own database: leave out --database-url.")
    # The one worker and the HTTP clients, for the sign-in screen and the window.
    plumbing = open_plumbing()
    try:
        return _run_window(app, settings, paths, plumbing, demo=demo, quit_after_ms=quit_after_ms)
    finally:
        plumbing.close()


def _run_window(
    app: QApplication,
    settings: Settings,
    paths: AppPaths,
    plumbing: Plumbing,
    *,
    demo: bool,
    quit_after_ms: int,
) -> int:
    stop = StopOnSignal(app)
    with ExitStack() as stack:
        stack.callback(stop.restore)  # last: a SIGTERM while closing still closes
        user_id: str | None = None  # the demo acts as its shop's owner
        started: Started | None = None
        sealer: TokenSealer | None
        world: DemoWorld | None
        if demo:
            demo_parts = while_showing(
                "Opening the demo shop…", lambda: stack.enter_context(open_demo(paths))
            )
            database, sealer, world = demo_parts.database, demo_parts.sealer, demo_parts.world
        else:
            database = while_showing(
                "Starting SNORQ Desktop…",
                lambda: stack.enter_context(open_database(settings, paths, migrate=False)),
            )
            started = signed_in_or_first_run(
                settings, paths, database, plumbing, quit_after_ms=quit_after_ms
            )
            if started is None:
                return 0  # closed on the first-run screen
            if started.settings.database_url != settings.database_url:  # joined a team
                settings = started.settings
                database = while_showing(
                    "Opening the team database…",
                    lambda: stack.enter_context(open_database(settings, paths, migrate=False)),
                )
            user_id = started.user_id
            sealer, world = optional_cipher(settings, paths), None
        if stop.requested:  # SIGTERM while starting: close what was opened
            return 0
        # One loop for Qt and asyncio: the sync engine's network waits run on it.
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        running = build_window(
            database,
            paths,
            demo=demo,
            send_key=settings.send_key,
            sealer=sealer,
            sync_interval=DEMO_SYNC_INTERVAL_SECONDS if demo else settings.sync_interval_seconds,
            world=world,
            loop=loop,
            settings=settings,
            user_id=user_id,
            team=None if demo else team_service(database, settings, paths),
            plumbing=plumbing,
            confirm_close=lambda unsent: ask(unsent),
        )
        ask = ask_before_closing(running.window)
        if started is not None and running.window.identity is not None:
            add_sign_out_menu(
                running.window.menus.team,
                running.window,
                running.runner,
                started.who,
                lambda: sign_out(settings, paths, plumbing.http),
            )
        running.window.show()
        stop.close_window_with(running.window.close_without_asking)
        # Everything made so far lives as long as the app: keep the garbage
        # collector from walking it again on every full pass (a 72 ms pause
        # while a 100,000-row inbox pages in, without this).
        gc.freeze()
        if quit_after_ms:
            window = running.window

            def quit_now() -> None:
                window.close_without_asking()
                app.quit()

            QTimer.singleShot(quit_after_ms, quit_now)
        log.info("window shown on %s", database.where)
        QTimer.singleShot(0, stop.quit_if_requested)
        code = loop.run_forever()
        running.close()
        loop.run_until_complete(plumbing.aclose())  # on the loop it served
    loop.close()
    return int(code)
