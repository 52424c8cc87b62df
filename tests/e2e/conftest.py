"""The window against the real test database, offscreen."""

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import RunningWindow, build_window
from snorq_desktop.demo.shop import seed_demo
from snorq_desktop.domain.enums import Platform
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.shop import TeamLogin, every_platform, invited_login, open_shop

# Who the window is by default: a MEMBER (tests.shop.invited_login names them Mia).
WINDOW_MEMBER = "mia@example.com"


@dataclass
class Shop:
    engine: Engine
    sessions: sessionmaker[Session]
    organization_id: str
    owner_id: str
    connections: dict[Platform, str]

    def sql(self, statement: str, **params: object) -> list[tuple[object, ...]]:
        with self.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []

    def add_conversations(
        self,
        count: int,
        platform: Platform = Platform.WHATSAPP,
        *,
        unread: int = 0,
        prefix: str = "Customer",
    ) -> None:
        """Conversations one minute apart, newest = number 0, each with one message."""
        now = datetime.now(UTC)
        self.sql(
            """
            INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
                external_id, contact_external_id, contact_name, last_message_preview,
                last_message_at, unread_count)
            SELECT 'c' || lpad(n::text, 24, '0'), :org, :conn, CAST(:platform AS "Platform"),
                   'ext-' || n, 'contact-' || n, :prefix || ' ' || n, 'Hello number ' || n,
                   :now - n * interval '1 minute', :unread
            FROM generate_series(0, :count - 1) AS n
            """,
            org=self.organization_id,
            conn=self.connections[platform],
            platform=platform.value,
            now=now,
            count=count,
            unread=unread,
            prefix=prefix,
        )
        self.sql(
            """
            INSERT INTO messages (id, organization_id, conversation_id, direction, content,
                                  external_id, platform_timestamp, status)
            SELECT 'm' || substr(c.id, 2), c.organization_id, c.id, 'INBOUND',
                   c.last_message_preview, 'msg-' || c.external_id, c.last_message_at, 'DELIVERED'
            FROM conversations c WHERE c.external_id LIKE 'ext-%'
            ON CONFLICT DO NOTHING
            """
        )


@pytest.fixture
def shop(engine: Engine) -> Shop:
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        ids = open_shop(session, TokenCipher(KeySet.fresh()), every_platform())
    return Shop(engine, sessions, ids.organization_id, ids.owner_id, ids.connections)


@pytest.fixture
def demo_shop(engine: Engine) -> sessionmaker[Session]:
    sessions = session_factory(engine)
    seed_demo(sessions, now=datetime.now(UTC) - timedelta(minutes=1))
    return sessions


@pytest.fixture
def make_window(engine: Engine, tmp_path, qtbot) -> Iterator[Callable[..., RunningWindow]]:
    """Opens a window on the test database (after the test has put its data there).
    ``loop`` (the qt_loop fixture, asked for before this one so that it outlives
    the windows): with its sync runner, which alone stores what the relay
    received; without it the window only hears the team."""
    opened: list[RunningWindow] = []
    engines: list[Engine] = []
    members: list[TeamLogin] = []

    def a_members_login() -> TeamLogin | None:
        """A MEMBER of the first organisation, invited by its owner, made once per
        test (every window made without a login is this one person); None while
        there is no organisation yet (the window's own first-run flow)."""
        if not members:
            with engine.connect() as connection:
                first = connection.execute(
                    text("SELECT id, owner_id FROM organizations ORDER BY created_at, id LIMIT 1")
                ).first()
            if first is None:
                return None
            members.append(invited_login(engine, first[0], first[1], email=WINDOW_MEMBER))
        return members[0]

    def make(
        name: str = "app",
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        login: TeamLogin | None = None,
        as_administrator: bool = False,
        **options: Any,
    ) -> RunningWindow:
        """``options``: build_window's (send_key, templates...).  ``login``: a
        person's own database login (tests.shop.invited_login), as their app
        connects.  Without one, a MEMBER's own login (row-level security and the
        member's privileges apply, as for most of a team), unless
        ``as_administrator``: the test database's superuser, acting as the
        owner, only for what a MEMBER may not do (the plan, members, settings)."""
        paths = AppPaths.resolve(tmp_path / name)
        paths.create()
        used = engine
        if login is None and not as_administrator:
            login = a_members_login()
        if login is not None:
            used = create_database_engine(login.url)
            engines.append(used)
            options["user_id"] = login.user_id
        running = build_window(
            Database(used, session_factory(used), "test", embedded=False),
            paths,
            demo=False,
            sync_interval=3600.0 if loop is not None else None,
            loop=loop,
            **options,
        )
        qtbot.addWidget(running.window)
        running.window.show()
        opened.append(running)
        idle(qtbot, running)
        return running

    yield make
    for running in opened:
        running.close()
    for used in engines:
        used.dispose()


def idle(qtbot, running: RunningWindow, timeout: int = 10_000) -> None:
    """Until every database task has come back to the window."""
    qtbot.waitUntil(lambda: running.runner.pending == 0, timeout=timeout)
    qtbot.wait(20)
    qtbot.waitUntil(lambda: running.runner.pending == 0, timeout=timeout)


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's asyncio loop over the test's Qt loop, as the app runs its sync
    engine: asyncio's callbacks run whenever Qt processes events (qtbot.wait…)."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    executor = qasync.QThreadExecutor(4)  # for asyncio.to_thread, ended below
    loop.set_default_executor(executor)
    yield loop
    executor.shutdown(wait=True)
    # Not loop.stop(): it calls QCoreApplication.exit(), after which every later
    # Qt wait of the session returns at once.  qasync marked this thread as
    # running the loop; later tests run loops of their own.
    asyncio.events._set_running_loop(None)
