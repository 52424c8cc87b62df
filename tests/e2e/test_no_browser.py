"""When no web browser can be opened (none is the default, or it fails to
start), the sign-in and connect pages show the link to copy and a sentence, and
go on waiting: the person opens it in a browser themselves (issue 19.4)."""

import webbrowser
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication

from snorq_desktop.boot.accounts import AccountFlow
from snorq_desktop.boot.app import Database, Plumbing
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.demo.fakes.oidc import FakeGoogle, fake_browser
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.ui.connections_page import ConnectionsPage
from snorq_desktop.ui.first_run import FirstRunDialog
from snorq_desktop.ui.tasks import TaskRunner
from tests.e2e.connect_world import (
    BUSINESS,
    META_APP,
    META_SECRET,
    PAGE,
    TIKTOK_KEY,
    TIKTOK_SECRET,
    ConnectWorld,
)


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def runner(plumbing: Plumbing) -> Iterator[TaskRunner]:
    runner = TaskRunner(plumbing.worker)
    yield runner
    runner.stop()


@pytest.fixture
def world(engine):
    made = ConnectWorld(engine)
    yield made
    made.stop()


def _no_browser(url: str) -> bool:
    return False  # webbrowser.open's answer when no browser is set or none starts


def _broken_browser(url: str) -> bool:
    raise webbrowser.Error("could not locate runnable browser")


@pytest.mark.parametrize("opener", [_no_browser, _broken_browser], ids=["none", "fails"])
def test_the_sign_in_page_shows_googles_link_to_copy_and_goes_on_waiting(
    plumbing, qtbot, google, engine, tmp_path, runner, opener
):
    paths = AppPaths.resolve(tmp_path / "app")
    paths.create()
    settings = Settings(
        google_client_id=google.client_id,
        google_client_secret=google.client_secret,
        google_issuer=google.url,
    )
    database = Database(engine, session_factory(engine), "test", embedded=False)
    flow = AccountFlow(settings, paths, database, plumbing.http, open_browser=opener, timeout=30)
    dialog = FirstRunDialog(flow, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.link.isVisible()
    dialog.sign_in_button.click()
    qtbot.waitUntil(dialog.link.isVisible, timeout=10_000)
    link = dialog.link.link.text()
    assert link.startswith(f"{google.url}/") and "client_id=" in link and "state=" in link
    assert dialog.link.link.isReadOnly()
    assert "open it in a web browser" in dialog.link.sentence.text()
    assert dialog.error.text() == ""  # not a failure: the sign-in waits
    QGuiApplication.clipboard().clear()
    dialog.link.copy_button.click()
    assert QGuiApplication.clipboard().text() == link
    assert dialog.link.copy_button.text() == "Copied"
    # The person pastes it into a browser: the sign-in finishes as if it had opened.
    fake_browser(link)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=30_000)
    assert not dialog.link.isVisibleTo(dialog)  # that link is used up


def _messenger(world: ConnectWorld) -> None:
    world.meta.add_account(PAGE, "page-token")
    world.meta.login_pages = [(PAGE, "Maya's Shop")]
    world.service.save_app("META", META_APP, META_SECRET)


def _tiktok(world: ConnectWorld) -> None:
    world.tiktok.login_business = BUSINESS
    world.service.save_app("TIKTOK", TIKTOK_KEY, TIKTOK_SECRET)


@pytest.mark.parametrize("platform", ["messenger", "tiktok"])
def test_each_connect_page_shows_the_login_link_to_copy_when_no_browser_opens(
    plumbing, world, qtbot, platform
):
    (_messenger if platform == "messenger" else _tiktok)(world)
    page = ConnectionsPage(world.service, plumbing.worker)
    qtbot.addWidget(page)
    page.show()
    world.browser.missing = True
    button = page.messenger_button if platform == "messenger" else page.tiktok_button
    button.click()
    qtbot.waitUntil(page.link.isVisible, timeout=10_000)
    link = page.link.link.text()
    where = (
        f"{world.meta.url}/v21.0/dialog/oauth?"
        if platform == "messenger"
        else (f"{world.tiktok.url}/v2/auth/authorize/?")
    )
    assert link.startswith(where) and "state=" in link
    assert "open it in a web browser" in page.link.sentence.text()
    assert page.cancel_button.isVisible()  # still waiting for the login, not failed
    QGuiApplication.clipboard().clear()
    page.link.copy_button.click()
    assert QGuiApplication.clipboard().text() == link
    # Opened by hand in a browser: the login comes back and the connection is made.
    world.browser.missing = False
    with qtbot.waitSignal(page.connected, timeout=20_000):
        world.browser(link)
    assert not page.link.isVisible()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    page.done(0)
