"""Team ▸ Database… and Team ▸ Connections… driven like a person would, offscreen,
against the real test server and the fake platforms."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from sqlalchemy import text

from snorq_desktop.demo.shop import seed_demo
from snorq_desktop.domain.enums import ConnectionStatus
from snorq_desktop.domain.team_database import SslMode, TeamDatabase
from snorq_desktop.services.team_database import TeamDatabaseService
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.transfer import tables_in_order
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.ui.connections_page import ConnectionsPage
from snorq_desktop.ui.team_database_page import TeamDatabasePage
from tests.conftest import create_database, drop_database
from tests.e2e.conftest import idle
from tests.e2e.connect_world import META_APP, META_SECRET, PAGE, PHONE, RELAY, ConnectWorld

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def team_url(server_url, template_database):
    name = f"snorq_team_{secrets.token_hex(4)}"
    yield create_database(server_url, name, template=template_database)
    drop_database(server_url, name)


def cell(table, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def fill(page: TeamDatabasePage, url, *, password: str | None = None) -> None:
    page.host.setText(url.host)
    page.port.setValue(url.port)
    page.database.setText(url.database)
    page.user.setText(url.username)
    page.password.setText(password if password is not None else url.password)
    page.sslmode.setCurrentIndex(page.sslmode.findData(SslMode.DISABLE.value))


def test_the_database_page_tests_moves_with_progress_and_checks_counts(
    plumbing, engine, team_url, qtbot, monkeypatch
):
    seed_demo(session_factory(engine), now=datetime.now(UTC) - timedelta(minutes=1))
    remembered: list[TeamDatabase] = []
    page = TeamDatabasePage(TeamDatabaseService(engine, remembered.append), None, plumbing.worker)
    qtbot.addWidget(page)
    page.show()

    page.sslmode.setCurrentIndex(page.sslmode.findData(SslMode.VERIFY_FULL.value))
    assert page._form.isRowVisible(page._certificate_row)
    fill(page, team_url, password="wrong")
    assert not page._form.isRowVisible(page._certificate_row)
    qtbot.mouseClick(page.test_button, LEFT)
    qtbot.waitUntil(lambda: "password is wrong" in page.status.text(), timeout=10_000)

    page.password.setText(team_url.password)
    qtbot.mouseClick(page.test_button, LEFT)
    qtbot.waitUntil(lambda: "up to date" in page.status.text(), timeout=10_000)

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.move_button, LEFT)
    qtbot.waitUntil(lambda: page.counts.isVisible(), timeout=30_000)

    assert "every table's count checks out" in page.status.text()
    assert page.progress.value() == page.progress.maximum() > 0
    assert page.counts.rowCount() == len(tables_in_order())
    assert {cell(page.counts, r, 3) for r in range(page.counts.rowCount())} == {"✓"}
    assert [address.host for address in remembered] == [team_url.host]
    team = create_database_engine(team_url)
    with team.connect() as connection, engine.connect() as source:
        query = text("SELECT count(*) FROM messages")
        assert connection.execute(query).scalar_one() == source.execute(query).scalar_one()
    team.dispose()
    page.done(0)


@pytest.fixture
def world(engine):
    made = ConnectWorld(engine)
    yield made
    made.stop()


def test_the_connections_page_connects_messenger_and_its_messages_arrive(
    plumbing, world, qtbot, monkeypatch
):
    page = ConnectionsPage(world.service, plumbing.worker)
    qtbot.addWidget(page)
    page.show()
    world.meta.add_account(PAGE, "page-token")
    world.meta.add_account("2000", "other-token")
    world.meta.login_pages = [("2000", "Another page"), (PAGE, "Maya's Shop")]

    page.meta_app_id.setText(META_APP)
    page.meta_app_secret.setText(META_SECRET)
    qtbot.mouseClick(page.save_meta_button, LEFT)
    qtbot.waitUntil(lambda: "sealed" in page.meta_app_secret.placeholderText(), timeout=10_000)
    assert page.meta_app_secret.text() == ""

    offered = []

    def choose(_parent, _title, _label, names, *_args):
        offered.extend(names)
        return "Maya's Shop", True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    with qtbot.waitSignal(page.connected, timeout=20_000):
        qtbot.mouseClick(page.messenger_button, LEFT)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)

    assert offered == ["Another page", "Maya's Shop"]
    assert cell(page.table, 0, 1) == "Maya's Shop"
    assert cell(page.table, 0, 2) == "ACTIVE"
    assert "connected to the page Maya's Shop" in page.status.text()
    world.meta.customer_writes(PAGE, "psid-9", "Hello from the page", whatsapp=False)
    assert world.sync_pass().stored == 1
    page.refresh()
    qtbot.waitUntil(lambda: cell(page.table, 0, 3) != "never", timeout=10_000)

    # disconnect: asked first (issue 19.3), then history kept
    asked = []
    answers = [QMessageBox.StandardButton.Cancel]

    def confirm(_parent, _title, question, *_args):
        asked.append(question)
        return answers.pop(0) if answers else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", confirm)
    page.table.selectRow(0)
    qtbot.mouseClick(page.disconnect_button, LEFT)  # Cancel: nothing changes
    assert cell(page.table, 0, 2) == "ACTIVE"
    assert "no replies go out from it, for the whole team" in asked.pop()
    qtbot.mouseClick(page.disconnect_button, LEFT)
    qtbot.waitUntil(lambda: cell(page.table, 0, 2) == "DISCONNECTED", timeout=10_000)
    assert world.sql("SELECT count(*) FROM messages") == [(1,)]
    asked.clear()

    # delete: the question says what goes with it
    page.table.selectRow(0)
    qtbot.mouseClick(page.delete_button, LEFT)
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=10_000)
    assert "1 conversation and 1 message go with it" in asked[0]
    assert world.sql("SELECT count(*) FROM conversations") == [(0,)]
    page.done(0)


def test_a_refused_login_is_one_sentence_on_the_page(plumbing, world, qtbot):
    page = ConnectionsPage(world.service, plumbing.worker)
    qtbot.addWidget(page)
    world.meta.deny_login = True
    world.service.save_app("META", META_APP, META_SECRET)
    qtbot.mouseClick(page.messenger_button, LEFT)
    qtbot.waitUntil(lambda: "did not give access" in page.status.text(), timeout=20_000)
    assert page.messenger_button.isEnabled() and not page.cancel_button.isVisible()
    page.done(0)


def test_the_whatsapp_form_shows_what_to_paste_into_meta(plumbing, world, qtbot):
    world.meta.add_phone_number(PHONE, "wa-token", "+1 555-0100", "Maya's Shop")
    page = ConnectionsPage(world.service, plumbing.worker)
    qtbot.addWidget(page)
    form = page.connect_whatsapp()
    form.phone_number_id.setText(PHONE)
    form.business_account_id.setText("102290129340398")
    form.access_token.setText("not-it")
    qtbot.mouseClick(form.connect_button, LEFT)
    qtbot.waitUntil(lambda: "refused that access token" in form.status.text(), timeout=10_000)

    form.access_token.setText("wa-token")
    qtbot.mouseClick(form.connect_button, LEFT)
    qtbot.waitUntil(lambda: form.verify_token.text() != "", timeout=10_000)

    assert form.callback_url.text() == f"{RELAY}/webhooks/meta"
    assert form.access_token.text() == ""
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    assert cell(page.table, 0, 0) == "WhatsApp"
    page.done(0)


def test_reconnect_from_the_reply_box_opens_the_connections_page_on_it(shop, make_window, qtbot):
    from snorq_desktop.domain.enums import Platform

    shop.add_conversations(1, Platform.TIKTOK)
    expired = shop.connections[Platform.TIKTOK]
    shop.sql(
        "UPDATE platform_connections SET status = 'EXPIRED', error_message = 'token revoked' "
        "WHERE id = :id",
        id=expired,
    )
    running = make_window()
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    composer = window.thread_pane.composer
    qtbot.waitUntil(lambda: composer.reconnect_button.isVisible(), timeout=10_000)
    assert "expired" in composer.reason.text()

    qtbot.mouseClick(composer.reconnect_button, LEFT)

    team = running.team
    assert team is not None and team.connections_page is not None
    page = team.connections_page
    qtbot.waitUntil(lambda: page.selected() is not None, timeout=10_000)
    assert page.selected().id == expired
    assert page.selected().status is ConnectionStatus.EXPIRED
    assert cell(page.table, page.table.currentRow(), 4) == "token revoked"
    assert page.reconnect_button.isEnabled()


def test_the_team_menu_opens_both_pages(shop, make_window, qtbot):
    running = make_window()
    menu = next(a.menu() for a in running.window.menuBar().actions() if a.text() == "&Team")
    actions = {action.objectName(): action for action in menu.actions()}
    actions["teamDatabaseAction"].trigger()
    actions["teamConnectionsAction"].trigger()
    team = running.team
    assert team.database_page.isVisible() and team.connections_page.isVisible()
    assert team.database_page.host.text() == "127.0.0.1"  # the database in use now
    assert not team.database_page.move_button.isEnabled()  # it is no built-in one
    qtbot.waitUntil(lambda: team.connections_page.table.rowCount() == 3, timeout=10_000)


def test_after_the_move_the_window_writes_nothing_more_and_says_to_reopen(shop, make_window, qtbot):
    """Replies written after the move would stay in the built-in database, which the
    next start no longer opens: the window stops taking them and says why."""
    shop.add_conversations(2)
    running = make_window()
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    window.database_moved("db.example.com:5432/shop")
    assert window.banner.isVisible()
    assert "close and reopen" in window.banner.text().lower()
    composer = window.thread_pane.composer
    assert not composer.isEnabled() and not composer.note_mode
    # Opening another conversation, or the database answering again, changes nothing.
    window.inbox_view.setCurrentIndex(window.inbox.index(1))
    idle(qtbot, running)
    window.banner.back()
    assert window.banner.isVisible() and not composer.isEnabled()
    assert "reopen" in (composer.blocked_reason or "")


def test_the_database_form_asks_for_encryption_and_says_why_it_fell_back(
    engine, team_url, qtbot, plumbing
):
    page = TeamDatabasePage(TeamDatabaseService(engine, lambda _: None), None, plumbing.worker)
    qtbot.addWidget(page)
    page.show()
    assert page.chosen_sslmode() is SslMode.PREFER  # never plain text unless chosen
    assert page.address().sslmode is SslMode.PREFER
    fill(page, team_url)
    page.sslmode.setCurrentIndex(page.sslmode.findData(SslMode.PREFER.value))
    qtbot.mouseClick(page.test_button, LEFT)
    # The test server offers no TLS: prefer connects in plain text, and says why.
    qtbot.waitUntil(lambda: "up to date" in page.status.text(), timeout=10_000)
    assert "without encryption, because the server offers none" in page.status.text()
    assert "choose require or stronger" in page.status.text()
    page.sslmode.setCurrentIndex(page.sslmode.findData(SslMode.DISABLE.value))
    qtbot.mouseClick(page.test_button, LEFT)
    qtbot.waitUntil(lambda: "only on a trusted network" in page.status.text(), timeout=10_000)
    page.done(0)
