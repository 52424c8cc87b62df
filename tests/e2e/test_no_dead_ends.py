"""No dead ends (issue 19.5): a control that cannot work here is disabled with
the reason beside it; a refusal shows where the person acted; Restore's file
dialog opens where the last backup was written."""

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import build_window
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.ui.members import MembersDialog
from tests.e2e.conftest import idle


def test_in_the_demo_move_my_data_here_is_off_and_says_why(engine, demo_shop, tmp_path, qtbot):
    paths = AppPaths.resolve(tmp_path / "demo")
    paths.create()
    database = Database(engine, session_factory(engine), "the demo database", embedded=True)
    running = build_window(database, paths, demo=True)
    try:
        qtbot.addWidget(running.window)
        assert running.team is not None
        page = running.team.open_database_page()
        qtbot.addWidget(page)
        assert not page.move_button.isEnabled()
        assert page.move_reason.isVisibleTo(page)
        assert "demo" in page.move_reason.text()
        assert page.move_reason.wordWrap()
    finally:
        running.close()


def test_invite_is_off_and_says_why_without_a_team_database(shop, make_window, qtbot):
    running = make_window(
        as_administrator=True
    )  # the built-in database's team service: no address to invite to
    running.window.findChild(QAction, "membersAction").trigger()
    idle(qtbot, running)
    members = running.window.findChild(MembersDialog)
    assert not members.invite_button.isEnabled()
    assert members.invite_reason.isVisible()
    assert "Invites need a team database" in members.invite_reason.text()


def test_a_label_name_taken_says_why_add_is_off(shop, make_window, qtbot):
    running = make_window()
    manager = running.window.labels.open_manager()
    qtbot.addWidget(manager)
    manager.name.setText("VIP")
    manager.add_button.click()
    idle(qtbot, running)
    qtbot.waitUntil(lambda: manager.list.count() == 1, timeout=5000)
    manager.name.setText("vip")
    assert not manager.add_button.isEnabled()
    assert manager.error.isVisible()
    assert "There is a label “VIP” already" in manager.error.text()
    manager.name.setText("VIP customers")
    assert manager.add_button.isEnabled() and not manager.error.isVisible()


def test_restore_opens_where_the_last_backup_was_written(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    folder = tmp_path / "backups on the usb stick"
    folder.mkdir()
    running = make_window(as_administrator=True)
    dialog = running.records.back_up(folder / "monday.backup")
    qtbot.waitUntil(lambda: dialog.succeeded is not None, timeout=60_000)
    assert dialog.succeeded, dialog.step.text()
    opened_in: list[str] = []

    def chosen(_parent, _title, directory, _filter):
        opened_in.append(directory)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", chosen)
    assert running.records.restore() is None  # cancelled in the file dialog
    running.close()
    again = make_window(as_administrator=True)  # the next start remembers it too
    again.records.restore()
    assert opened_in == [str(folder), str(folder)]


def test_templates_without_syncing_say_why_in_the_reply_box(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql("UPDATE messages SET platform_timestamp = now() - interval '26 hours'")
    running = make_window()  # no sync engine, no template source
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    composer = window.thread_pane.composer
    qtbot.waitUntil(lambda: "24 hours" in composer.reason.text(), timeout=5000)
    assert "Templates need syncing" in composer.reason.text()
    assert not composer.template_button.isVisible()
