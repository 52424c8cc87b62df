"""Starting the window: the first-run screen when nobody is signed in, none
after; the window acts as the signed-in person (their replies carry their id)."""

import sys
import webbrowser
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from snorq_desktop.boot.accounts import account_store, sign_in, sign_out
from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.boot.sign_in_window import signed_in_or_first_run
from snorq_desktop.boot.window import build_window
from snorq_desktop.demo.fakes.oidc import FakeGoogle
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.ids import new_id
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.ui.first_run import FirstRunDialog
from snorq_desktop.ui.sign_out import add_sign_out_menu
from tests.e2e.conftest import idle


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    fake.start()
    fake.account.sub, fake.account.email, fake.account.name = "g-ben", "ben@example.com", "Ben"
    # The real opener (Python's webbrowser) with $BROWSER naming our browser program.
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m snorq_desktop.demo.fakes.oidc %s")
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    yield fake
    fake.stop()


def _press_sign_in_when_shown(seen: list[FirstRunDialog]) -> QTimer:
    timer = QTimer()
    timer.setInterval(50)

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunDialog) and widget.isVisible() and not seen:
                seen.append(widget)
                widget.sign_in_button.click()

    timer.timeout.connect(look)
    timer.start()
    return timer


def test_first_start_signs_in_and_later_starts_go_straight_to_the_window(
    qtbot, google, shop, engine, tmp_path, plumbing
):
    with unit_of_work(shop.sessions) as session:
        ben = orgs.create_user(session, email="ben@example.com", name="Ben")
        orgs.add_member(
            session, organization_id=shop.organization_id, user_id=ben, role=MemberRole.MEMBER
        )
    shop.add_conversations(1)
    settings = Settings(
        google_client_id=google.client_id,
        google_client_secret=google.client_secret,
        google_issuer=google.url,
    )
    paths = AppPaths.resolve(tmp_path / "app")
    paths.create()
    database = Database(engine, session_factory(engine), "test", embedded=False)

    seen: list[FirstRunDialog] = []
    timer = _press_sign_in_when_shown(seen)
    started = signed_in_or_first_run(settings, paths, database, plumbing)
    assert started is not None and started.user_id == ben
    assert len(seen) == 1 and google.authorize_requests

    again = signed_in_or_first_run(settings, paths, database, plumbing)  # remembered: no screen
    timer.stop()
    assert again is not None and again.user_id == ben and len(seen) == 1

    running = build_window(database, paths, demo=False, user_id=ben, plumbing=plumbing)
    qtbot.addWidget(running.window)
    try:
        idle(qtbot, running)
        assert running.window.identity is not None
        assert running.window.identity.user_id == ben
        conversation = shop.sql("SELECT id FROM conversations LIMIT 1")[0][0]
        message_id = new_id()
        running.service.send_reply(str(conversation), message_id, "On its way!")
        [(sender,)] = shop.sql("SELECT sent_by_user_id FROM messages WHERE id = :id", id=message_id)
        assert sender == ben  # not the owner: the person signed in
    finally:
        running.close()


def test_closing_the_first_run_screen_opens_no_window(qtbot, google, engine, tmp_path, plumbing):
    settings = Settings(google_client_id=google.client_id, google_issuer=google.url)
    paths = AppPaths.resolve(tmp_path / "app")
    paths.create()
    database = Database(engine, session_factory(engine), "test", embedded=False)

    def close_it() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunDialog) and widget.isVisible():
                widget.reject()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(close_it)
    timer.start()
    assert signed_in_or_first_run(settings, paths, database, plumbing) is None
    timer.stop()


def test_sign_out_in_the_window_forgets_the_person_and_closes(
    qtbot, google, shop, engine, tmp_path, monkeypatch, plumbing
):
    google.account.email, google.account.sub = "maya@example.com", "g-maya"
    settings = Settings(
        google_client_id=google.client_id,
        google_client_secret=google.client_secret,
        google_issuer=google.url,
    )
    paths = AppPaths.resolve(tmp_path / "app")
    paths.create()
    database = Database(engine, session_factory(engine), "test", embedded=False)
    signed = sign_in(settings, paths, database, plumbing.http, timeout=30)
    assert signed.identity is not None and account_store(settings, paths).load() is not None

    running = build_window(database, paths, demo=False, user_id=signed.user_id, plumbing=plumbing)
    qtbot.addWidget(running.window)
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quits.append(True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    try:
        action = add_sign_out_menu(
            running.window.menus.team,
            running.window,
            running.runner,
            "maya@example.com",
            lambda: sign_out(settings, paths, plumbing.http),
        )
        assert action.text() == "Sign out maya@example.com…"
        action.trigger()
        qtbot.waitUntil(lambda: bool(quits), timeout=10_000)
        assert account_store(settings, paths).load() is None
        assert google.refresh_tokens == {}  # and Google was told
    finally:
        running.close()
