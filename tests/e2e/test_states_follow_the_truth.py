"""States that follow the truth (issue 19.2): after Team ▸ Connections… renews or
stops a connection (in this app or a teammate's), the rows, the open thread's
header and its reply box say so at once, without reopening the conversation; a
disconnected connection never says it synced."""

import httpx
import psycopg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from snorq_desktop.auth.platform_login import LoginEndpoints, PlatformLogin
from snorq_desktop.domain.connections import FacebookPage
from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.team_notice import encode_notice, read_notice, team_channel
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.services.connections import ConnectionsService
from snorq_desktop.store.outbox import mark_connection
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.ui.inbox_model import ConversationIdRole
from tests.e2e.conftest import idle


def _cell(page, row: int, column: int) -> str:
    item = page.table.item(row, column)
    return item.text() if item is not None else ""


def _blocked(composer) -> bool:
    return composer.blocked_reason is not None


def test_the_reply_box_follows_a_reconnect_without_reopening(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql(
        "UPDATE platform_connections SET status = 'DISCONNECTED', last_sync_at = now()"
        " WHERE platform = 'WHATSAPP'"
    )
    running = make_window()
    window = running.window
    composer = window.thread_pane.composer
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    assert _blocked(composer)
    assert running.team is not None
    page = running.team.open_connections_page()
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=10_000)
    whatsapp = next(r for r in range(3) if _cell(page, r, 0) == "WhatsApp")
    assert _cell(page, whatsapp, 3) == "not syncing"  # not "now"
    # Renewed (as Reconnect does once the platform's login comes back):
    shop.sql("UPDATE platform_connections SET status = 'ACTIVE' WHERE platform = 'WHATSAPP'")
    page.states_changed.emit()
    idle(qtbot, running)
    assert not _blocked(composer) and not composer.editor.isReadOnly()
    # And stopped again: the box says why at once, and keeps what was typed.
    composer.editor.setPlainText("Your order ships today")
    shop.sql("UPDATE platform_connections SET status = 'DISCONNECTED' WHERE platform = 'WHATSAPP'")
    page.states_changed.emit()
    idle(qtbot, running)
    assert _blocked(composer) and composer.reason.isVisible()
    assert composer.editor.toPlainText() == "Your order ships today"
    page.done(0)


def _row_says(window, conversation_id: str) -> str:
    """What the row of this conversation tells a screen reader (and paints)."""
    row = window.inbox.row_of(conversation_id)
    text = window.inbox.index(row).data(Qt.ItemDataRole.AccessibleTextRole) if row >= 0 else None
    return text or ""


def _teammate_service(shop) -> ConnectionsService:
    """The Connections page's service in a third app of the team (its own origin)."""
    return ConnectionsService(
        shop.sessions,
        lambda: TokenCipher(KeySet.fresh()),
        shop.organization_id,
        PlatformLogin(httpx.Client(timeout=5), LoginEndpoints()),
        httpx.Client(timeout=5),
        origin="teammate-app",
    )


def test_a_teammate_disconnecting_or_reconnecting_shows_live_in_my_window(
    shop, make_window, qtbot, monkeypatch
):
    """Leo's thread is open while Maya disconnects the page in her app, then a
    teammate reconnects it, then a sync finds its token expired: Leo's rows,
    thread header and reply box follow each change over NOTIFY, without reopening."""
    shop.add_conversations(1, Platform.FACEBOOK)
    shop.sql("UPDATE platform_connections SET last_sync_at = now()")
    maya, leo = make_window("maya"), make_window("leo")
    qtbot.wait(300)  # both listeners connected
    window = leo.window
    conversation = window.inbox.index(0).data(ConversationIdRole)
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, leo)
    composer, pane = window.thread_pane.composer, window.thread_pane
    assert not _blocked(composer) and "⚠" not in pane.subtitle.text()
    assert "disconnected" not in _row_says(window, conversation)
    qtbot.keyClicks(composer.editor, "Your order ships today")

    # Maya disconnects Messenger in her own window.
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert maya.team is not None
    page = maya.team.open_connections_page()
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=10_000)
    messenger = next(r for r in range(3) if _cell(page, r, 0) == "Messenger")
    page.table.selectRow(messenger)
    page.disconnect_button.click()
    qtbot.waitUntil(lambda: _cell(page, messenger, 2) == "DISCONNECTED", timeout=10_000)
    assert _cell(page, messenger, 3) == "not syncing"  # it synced a moment ago: not "now"

    qtbot.waitUntil(lambda: _blocked(composer), timeout=5_000)
    assert "disconnected" in composer.reason.text() and composer.reason.isVisible()
    assert composer.editor.isReadOnly() and not composer.send_button.isEnabled()
    assert composer.reconnect_button.isVisible()
    assert composer.editor.toPlainText() == "Your order ships today"  # kept, not dropped
    assert pane.subtitle.text() == "Messenger · ⚠ Disconnected"
    qtbot.waitUntil(lambda: "disconnected" in _row_says(window, conversation), timeout=5_000)
    page.done(0)

    # A teammate reconnects the same page in a third app.
    _teammate_service(shop).connect_page(
        FacebookPage(id="FACEBOOK-acct", name="Maya's Shop", access_token=SecretToken("new"))
    )
    qtbot.waitUntil(lambda: not _blocked(composer), timeout=5_000)
    assert not composer.editor.isReadOnly() and composer.send_button.isEnabled()
    assert pane.subtitle.text() == "Messenger"
    qtbot.waitUntil(lambda: "disconnected" not in _row_says(window, conversation), timeout=5_000)
    # Maya's window heard it too (she did not make that change).
    maya_row = maya.window.inbox.row_of(conversation)
    qtbot.waitUntil(
        lambda: "disconnected" not in _row_says(maya.window, conversation), timeout=5_000
    )
    assert maya_row >= 0

    # Some app's sync finds the token expired: every window hears it too.
    with unit_of_work(shop.sessions) as session:
        mark_connection(
            session, shop.connections[Platform.FACEBOOK], ConnectionStatus.EXPIRED, "revoked"
        )
    qtbot.waitUntil(lambda: _blocked(composer), timeout=5_000)
    assert "expired" in composer.reason.text() and "(revoked)" in composer.reason.text()
    assert pane.subtitle.text() == "Messenger · ⚠ Connection expired"
    qtbot.waitUntil(lambda: "connection expired" in _row_says(window, conversation), timeout=5_000)


def test_a_connection_state_reaches_the_team_once_and_only_when_it_is_news(shop, engine):
    """What a sync marks a second time (same state, same sentence) is no news."""
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = shop.connections[Platform.TIKTOK]
    with psycopg.connect(conninfo, autocommit=True) as listening:
        listening.execute(f'LISTEN "{team_channel(shop.organization_id)}"')
        for _ in range(2):
            with unit_of_work(shop.sessions) as session:
                mark_connection(session, connection, ConnectionStatus.ERROR, "unreadable")
        heard = [notice.payload for notice in listening.notifies(timeout=1.0)]
    assert len(heard) == 1
    organization, origin, changes = read_notice(heard[0])
    assert (organization, origin, changes) == (shop.organization_id, "", Changes(connections=True))
    assert read_notice(encode_notice("org", Changes(connections=True), "app"))[2] == Changes(
        connections=True
    )


def test_a_connection_a_teammate_deletes_leaves_my_inbox_with_its_conversations(
    shop, make_window, qtbot
):
    shop.add_conversations(2, Platform.TIKTOK)
    leo = make_window("leo")
    qtbot.wait(300)  # its listener connected
    window = leo.window
    assert window.inbox.rowCount() == 2
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, leo)
    assert window.thread_pane.conversation_id is not None
    _teammate_service(shop).delete(shop.connections[Platform.TIKTOK])
    qtbot.waitUntil(lambda: window.inbox.rowCount() == 0, timeout=5_000)
    qtbot.waitUntil(lambda: window.thread_pane.conversation_id is None, timeout=5_000)
