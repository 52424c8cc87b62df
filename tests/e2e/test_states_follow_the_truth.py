"""States that follow the truth (issue 19.2): after Team ▸ Connections… renews or
stops a connection, the open thread's reply box says so at once, without
reopening the conversation; a disconnected connection never says it synced."""

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
