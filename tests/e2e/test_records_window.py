"""The window's records: the menus, backing up and restoring with a progress bar,
and the banner that warns a FREE shop before its history purge."""

from tests.e2e.conftest import idle


def menu_texts(window) -> dict[str, list[str]]:
    found = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        found[menu.title().replace("&", "")] = [a.text().replace("&", "") for a in menu.actions()]
    return found


def test_the_window_has_the_dashboard_and_backup_entries(shop, make_window, qtbot):
    shop.add_conversations(3)
    running = make_window()
    menus = menu_texts(running.window)
    assert "Dashboard…" in menus["View"]
    assert {"Back up…", "Restore…"} <= set(menus["File"])
    dashboard = running.records.open_dashboard()
    qtbot.waitUntil(lambda: dashboard.board is not None, timeout=10_000)
    assert dashboard.tiles["received"].value.text() == "3"


# A backup and a restore read and write the whole database, every shop's and its
# logins: the database administrator's (the owner's on the built-in database),
# so these windows use the administrator login.  A MEMBER's window gets "Something
# went wrong" today (reported, not fixed here).


def test_back_up_then_restore_from_the_window_with_progress(shop, make_window, qtbot, tmp_path):
    shop.add_conversations(5)
    running = make_window(as_administrator=True)
    archive = tmp_path / "shop.backup"

    dialog = running.records.back_up(archive)
    seen: list[int] = []
    dialog.progressed.connect(lambda fraction, _step: seen.append(int(fraction * 1000)))
    qtbot.waitUntil(lambda: dialog.succeeded is not None, timeout=60_000)
    assert dialog.succeeded, dialog.step.text()
    assert dialog.bar.value() == dialog.bar.maximum()
    assert "Backed up 5 messages" in dialog.step.text()
    assert archive.is_file()

    # A customer writes after the backup: restoring would lose it, so the window asks.
    shop.sql(
        "INSERT INTO messages (id, organization_id, conversation_id, direction, content) "
        "SELECT 'late', organization_id, id, 'INBOUND', 'still there?' FROM conversations "
        "ORDER BY id LIMIT 1"
    )
    asked: list[str] = []

    def ask(sentence: str) -> bool:
        asked.append(sentence)
        return True

    dialog = running.records.restore(archive, ask=ask)
    qtbot.waitUntil(lambda: dialog.succeeded is not None, timeout=60_000)
    assert dialog.succeeded, dialog.step.text()
    assert asked and "newer messages than this backup" in asked[0]
    assert "Restored 5 messages" in dialog.step.text()
    assert shop.sql("SELECT count(*) FROM messages") == [(5,)]
    idle(qtbot, running)


def test_a_refused_restore_changes_nothing(shop, make_window, qtbot, tmp_path):
    shop.add_conversations(2)
    running = make_window(as_administrator=True)
    archive = tmp_path / "shop.backup"
    dialog = running.records.back_up(archive)
    qtbot.waitUntil(lambda: dialog.succeeded is not None, timeout=60_000)
    shop.sql("UPDATE messages SET platform_timestamp = now() + interval '1 hour'")
    dialog = running.records.restore(archive, ask=lambda _sentence: False)
    qtbot.waitUntil(lambda: dialog.succeeded is not None, timeout=60_000)
    assert dialog.succeeded is False
    assert dialog.step.text() == "⚠ Nothing was restored."
    assert shop.sql("SELECT count(*) FROM messages WHERE platform_timestamp > now()") == [(2,)]


def test_a_free_shop_with_old_messages_sees_the_warning(shop, make_window, qtbot):
    shop.sql("UPDATE organizations SET plan = 'FREE'")
    shop.add_conversations(1)
    shop.sql("UPDATE messages SET platform_timestamp = now() - interval '45 days'")
    running = make_window(as_administrator=True)
    banner = running.records.banner
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert "1 message older than that will be removed in about a week" in banner.text()

    shop.sql("UPDATE organizations SET plan = 'PRO'")
    running.records.refresh_notice()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)
