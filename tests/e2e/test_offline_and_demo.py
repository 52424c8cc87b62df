"""When the database goes away the window stays usable and loses nothing; the demo
brings a live shop; the window command starts and stops cleanly."""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, func, select, text

from snorq_desktop.demo.shop import seed_demo
from snorq_desktop.domain.enums import ContentType, MessageStatus, Platform
from snorq_desktop.store.models import Conversation, Message
from snorq_desktop.ui import offline_banner
from snorq_desktop.ui.thread_model import MessageRole
from snorq_desktop.ui.tray import badge_icon
from tests.e2e.conftest import idle


def _cut_off(shop, allow: bool) -> None:
    database = shop.engine.url.database
    engine = create_engine(shop.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(
            text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allow).lower()}')
        )
        if not allow:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                {"d": database},
            )
    engine.dispose()
    if allow:  # the test's own connections were cut too: its next query opens anew
        shop.engine.dispose()


def test_a_reply_written_while_the_database_is_away_waits_and_is_stored_once_back(
    shop, make_window, qtbot, monkeypatch
):
    monkeypatch.setattr(offline_banner, "RECONNECT_EVERY_MS", 200)
    shop.add_conversations(3)
    running = make_window()
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    conversation_id = window.thread_pane.conversation_id
    _cut_off(shop, allow=False)
    try:
        window.thread_pane.composer.editor.setPlainText("Sent while offline")
        window.thread_pane.composer.send_button.click()
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
        assert "reconnecting" in window.banner.text()
        thread = window.thread_pane.model
        last = thread.index(thread.rowCount() - 1).data(MessageRole)
        assert (last.content, last.status) == ("Sent while offline", MessageStatus.PENDING)
        journal = running.service.journalled(conversation_id)
        assert [r.text for r in journal] == ["Sent while offline"]
        # the window still answers while the database is away
        window.search.setText("x")
        qtbot.wait(50)
    finally:
        _cut_off(shop, allow=True)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15_000)
    idle(qtbot, running)
    stored = shop.sql(
        "SELECT count(*), min(status::text) FROM messages WHERE content = 'Sent while offline'"
    )
    assert stored == [(1, "PENDING")]
    assert running.service.journalled(conversation_id) == []


def test_the_demo_has_every_platform_content_type_and_status(demo_shop):
    with demo_shop() as session:
        platforms = set(session.execute(select(Conversation.platform)).scalars())
        types = set(session.execute(select(Message.content_type)).scalars())
        statuses = set(session.execute(select(Message.status)).scalars())
        messages = session.execute(select(func.count()).select_from(Message)).scalar_one()
        contents = [c for c in session.execute(select(Message.content)).scalars() if c]
    assert platforms == set(Platform)
    assert types == set(ContentType)
    assert statuses == set(MessageStatus)
    assert 200 <= messages <= 600
    assert any(ord(ch) > 0x1F000 for c in contents for ch in c), "emoji"
    assert any("\u3040" <= ch <= "\u30ff" for c in contents for ch in c), "Japanese"
    assert any("\u0600" <= ch <= "\u06ff" for c in contents for ch in c), "Arabic"
    assert seed_demo(demo_shop) is False, "seeding twice adds nothing"


def test_the_demo_world_runs_on_the_fake_platforms(engine, tmp_path):
    """A demo customer writes through a fake platform and the relay into an
    existing conversation; a reply goes out through the sync engine."""
    import asyncio

    import httpx

    from snorq_desktop.boot.app import platform_clients
    from snorq_desktop.demo.world import start_demo_world
    from snorq_desktop.domain.ids import new_id
    from snorq_desktop.secrets.cipher import TokenCipher
    from snorq_desktop.secrets.keys import KeySet
    from snorq_desktop.services.inbox import InboxService
    from snorq_desktop.services.reply_journal import ReplyJournal
    from snorq_desktop.store.unit_of_work import session_factory
    from snorq_desktop.sync.engine import SyncEngine

    sessions = session_factory(engine)
    sealer = TokenCipher(KeySet.fresh())
    seed_demo(sessions, sealer=sealer)
    world = start_demo_world(sessions)
    try:
        with sessions() as session:
            before = session.execute(select(func.count()).select_from(Conversation)).scalar_one()
        for _ in range(5):
            world.customer_writes()
        service = InboxService(sessions, ReplyJournal(tmp_path / "journal.json"))
        assert asyncio.run(SyncEngine(engine, sessions, sealer, {}).take_in()).changes.arrivals
        with sessions() as session:
            after = session.execute(select(func.count()).select_from(Conversation)).scalar_one()
            newest = session.execute(
                select(Conversation.id, Conversation.platform)
                .where(Conversation.unread_count > 0)
                .order_by(Conversation.last_message_at.desc())
            ).first()
        assert after == before, "customers write in their existing conversations"
        assert newest is not None
        service.send_reply(newest[0], new_id(), "Thanks, on it!")

        async def one_pass():
            async with httpx.AsyncClient(timeout=5) as http:
                clients = platform_clients(http, world.graph_url, world.tiktok_url)
                return await SyncEngine(engine, sessions, sealer, clients).pass_once()

        report = asyncio.run(one_pass())
        with sessions() as session:  # outside the demo's hours, away messages went too
            automatic = session.execute(
                text(
                    "SELECT count(*) FROM automatic_replies a JOIN messages m "
                    "ON m.id = a.message_id WHERE m.status = 'SENT'"
                )
            ).scalar_one()
        # ours, the demo's reply that was still on its way, and any automatic answers
        assert report.sent == 2 + automatic
        texts = [s["text"] for s in world.meta.sent] + [s["text"] for s in world.tiktok.sent]
        assert "Thanks, on it!" in texts
    finally:
        world.stop()


def test_the_tray_badge_shows_the_unread_count():
    assert not badge_icon(0).isNull()
    assert badge_icon(0).pixmap(64).toImage() != badge_icon(7).pixmap(64).toImage()


@pytest.mark.slow
def test_the_demo_window_starts_and_quits_cleanly(tmp_path):
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-m", "snorq_desktop", "--home", str(home), "--demo", "--quit-after", "2"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    log = (home / "logs" / "snorq-desktop.log").read_text()
    assert "window shown on the demo database" in log
    assert "built-in database stopped" in log
    assert not (home / "data" / "demo-postgres" / "pgdata" / "postmaster.pid").exists()
    assert not (home / "data" / "postgres").exists(), "the demo never touches the user's database"


def test_a_damaged_entry_in_the_offline_replies_is_set_aside_and_the_window_says_so(
    shop, make_window, qtbot, monkeypatch
):
    """One unreadable entry (damaged by hand, or a newer version's) beside a
    reply written offline: the reply is still stored once the database is back,
    and the status bar says what was kept aside and where."""
    monkeypatch.setattr(offline_banner, "RECONNECT_EVERY_MS", 200)
    shop.add_conversations(1)
    running = make_window()
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    _cut_off(shop, allow=False)
    try:
        window.thread_pane.composer.editor.setPlainText("Written while offline")
        window.thread_pane.composer.send_button.click()
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
        journal = running.service._journal.path
        entries = json.loads(journal.read_text(encoding="utf-8"))
        journal.write_text(json.dumps([*entries, {"message_id": "from-elsewhere"}]))
    finally:
        _cut_off(shop, allow=True)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15_000)
    idle(qtbot, running)
    assert shop.sql("SELECT count(*) FROM messages WHERE content = 'Written while offline'") == [
        (1,)
    ]
    said = window.statusBar().currentMessage()
    assert said.startswith("1 of the replies written offline could not be read; it was kept as ")
    assert [p.name for p in journal.parent.iterdir() if ".damaged-" in p.name] != []
