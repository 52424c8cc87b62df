"""An app whose database URL goes through PgBouncer (transaction mode): with a
direct ``listen_url`` the team's changes arrive live; with only the pooler's
address LISTEN hears nothing, so the window says live updates are off and
catches up every few seconds, and the change still arrives."""

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.boot.window import RunningWindow, build_window
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.team_notice import encode_notice, team_channel
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.sync.listener import CATCH_UP_SECONDS
from tests.e2e.conftest import Shop, idle
from tests.pooler import pgbouncer_in_front_of


@pytest.fixture
def pooled_engine(database_url: URL) -> Iterator[Engine]:
    with pgbouncer_in_front_of(database_url) as url:
        engine = create_database_engine(url)
        yield engine
        engine.dispose()


def _open(pooled_engine: Engine, tmp_path, qtbot, settings: Settings) -> RunningWindow:
    paths = AppPaths.resolve(tmp_path / "app")
    paths.create()
    running = build_window(
        Database(pooled_engine, session_factory(pooled_engine), "test", embedded=False),
        paths,
        demo=False,
        settings=settings,
    )
    qtbot.addWidget(running.window)
    running.window.show()
    idle(qtbot, running)
    return running


def _banner(running: RunningWindow) -> QLabel:
    banner = running.window.findChild(QLabel, "liveUpdatesBanner")
    assert isinstance(banner, QLabel)
    return banner


def _another_app_adds_a_conversation(shop: Shop) -> str:
    """A new conversation and its notice, in one transaction, as another app writes."""
    conversation = "conv-from-another-app"
    with shop.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO conversations (id, organization_id, platform_connection_id, "
                "platform, external_id, contact_external_id, contact_name, last_message_at) "
                "VALUES (:c, :o, :p, 'WHATSAPP', 'ext-other', 'contact-other', 'Leo', now())"
            ),
            {
                "c": conversation,
                "o": shop.organization_id,
                "p": shop.connections[Platform.WHATSAPP],
            },
        )
        notice = encode_notice(
            shop.organization_id, Changes(conversations=frozenset({conversation})), "other-app"
        )
        db.execute(
            text("SELECT pg_notify(:ch, :p)"),
            {"ch": team_channel(shop.organization_id), "p": notice},
        )
    return conversation


def _shows(running: RunningWindow, conversation: str) -> bool:
    return running.window.inbox.row_of(conversation) >= 0


def test_a_direct_listen_url_keeps_updates_live_behind_the_pooler(
    shop, pooled_engine, database_url, tmp_path, qtbot
):
    shop.add_conversations(2)
    # Only where the server is: the login and the database are the main URL's.
    direct = f"postgresql://{database_url.host}:{database_url.port}/"
    running = _open(pooled_engine, tmp_path, qtbot, Settings(listen_url=direct))
    try:
        listener = running.listener
        assert listener is not None
        qtbot.waitUntil(lambda: listener._live is True, timeout=15_000)
        assert not _banner(running).isVisible()
        conversation = _another_app_adds_a_conversation(shop)
        qtbot.waitUntil(lambda: _shows(running, conversation), timeout=10_000)
        assert not _banner(running).isVisible(), "heard live, never fell back"
    finally:
        running.close()


def test_only_the_pooler_address_falls_back_to_a_catch_up_and_says_so(
    shop, pooled_engine, tmp_path, qtbot
):
    shop.add_conversations(2)
    running = _open(pooled_engine, tmp_path, qtbot, Settings())
    try:
        banner = _banner(running)
        qtbot.waitUntil(banner.isVisible, timeout=20_000)
        assert banner.text() == f"Live updates are off: checking every {CATCH_UP_SECONDS:g} s"
        conversation = _another_app_adds_a_conversation(shop)
        qtbot.waitUntil(lambda: _shows(running, conversation), timeout=30_000)
        assert banner.isVisible()
    finally:
        running.close()
