"""The first-run screen (sign-in against the local OpenID Connect server, then
onboarding) and Team ▸ Members…, offscreen with pytest-qt on real PostgreSQL."""

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from snorq_desktop.boot.accounts import AccountFlow, signed_in_here, team_service
from snorq_desktop.boot.app import Database, Plumbing
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.demo.fakes.oidc import FakeGoogle, fake_browser
from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.domain.errors import PermissionDenied
from snorq_desktop.domain.identity import Identity
from snorq_desktop.secrets.invite_code import InviteCode
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.store.users import GoogleProfile
from snorq_desktop.ui.first_run import FirstRunDialog
from snorq_desktop.ui.members import MembersDialog
from snorq_desktop.ui.tasks import TaskRunner
from tests.e2e.conftest import idle


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
def database(engine: Engine) -> Database:
    return Database(engine, session_factory(engine), "test", embedded=False)


@pytest.fixture
def app_paths(tmp_path) -> AppPaths:
    paths = AppPaths.resolve(tmp_path / "app")
    paths.create()
    return paths


def settings_for(google: FakeGoogle) -> Settings:
    return Settings(
        google_client_id=google.client_id,
        google_client_secret=google.client_secret,
        google_issuer=google.url,
    )


def first_run(qtbot, google, database, app_paths, runner, http, *, timeout=30.0, signed_in=None):
    flow = AccountFlow(
        settings_for(google),
        app_paths,
        database,
        http,
        open_browser=fake_browser,
        timeout=timeout,
        signed_in=signed_in,
    )
    dialog = FirstRunDialog(flow, runner, signed_in=signed_in is not None)
    qtbot.addWidget(dialog)
    dialog.show()
    return flow, dialog


def wait(qtbot, runner):
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=30_000)


def test_sign_in_then_create_an_organisation(plumbing, qtbot, google, database, app_paths, runner):
    flow, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=30_000)
    assert "Maya Okafor &lt;maya@example.com&gt;" in dialog.who.text()  # shown, not a tag
    dialog.org_name.setText("Maya's Shop")
    qtbot.waitUntil(lambda: dialog.slug.text() == "maya-s-shop", timeout=10_000)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.create_button.click()
    assert dialog.identity is not None
    assert dialog.identity.organization_name == "Maya's Shop"
    # Next start: signed in, with an organisation: no first-run screen.
    here = signed_in_here(flow.settings, app_paths, database, plumbing.http)
    assert here is not None and here.identity == dialog.identity


def test_a_taken_address_proposes_the_next_free_one(
    plumbing, qtbot, google, database, app_paths, runner, shop
):
    # "maya" is the shop fixture's slug; Zoe signs in for the first time.
    google.account.sub, google.account.email, google.account.name = (
        "g-zoe",
        "zoe@example.com",
        "Zoe",
    )
    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=30_000)
    dialog.org_name.setText("Maya")
    qtbot.waitUntil(lambda: dialog.slug.text() == "maya-2", timeout=10_000)
    dialog.slug.setText("maya")  # typed over the proposal
    dialog.slug.textEdited.emit("maya")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: "'maya' is taken" in dialog.error.text(), timeout=10_000)
    qtbot.waitUntil(lambda: dialog.slug.text() == "maya-2", timeout=10_000)
    assert dialog.isVisible()


def test_a_person_already_in_an_organisation_goes_straight_to_it(
    plumbing, qtbot, google, database, app_paths, runner, shop
):
    """The shop's owner was added by email before ever signing in: found, and done."""
    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.sign_in_button.click()
    assert dialog.identity is not None
    assert (dialog.identity.organization_id, dialog.identity.user_id) == (
        shop.organization_id,
        shop.owner_id,
    )


def test_cancel_stops_a_sign_in_waiting_on_the_browser(
    plumbing, qtbot, google, database, app_paths, runner
):
    google.behaviour = "never"
    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    dialog.sign_in_button.click()
    assert dialog.cancel_button.isEnabled() and not dialog.sign_in_button.isEnabled()
    qtbot.waitUntil(lambda: bool(google.authorize_requests), timeout=10_000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: "cancelled" in dialog.error.text(), timeout=10_000)
    assert dialog.sign_in_button.isEnabled() and dialog.isVisible()
    assert dialog.pages.currentIndex() == 0


def test_cancel_with_no_sign_in_running_closes_the_screen(
    plumbing, qtbot, google, database, app_paths, runner
):
    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    assert dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.rejected, timeout=5_000):
        dialog.cancel_button.click()
    assert not dialog.isVisible() and not dialog.wants_demo
    assert google.authorize_requests == []


def test_try_the_demo_leaves_the_screen_for_the_demo(
    plumbing, qtbot, google, database, app_paths, runner
):
    google.behaviour = "never"
    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    dialog.sign_in_button.click()  # even with a sign-in waiting on the browser
    qtbot.waitUntil(lambda: bool(google.authorize_requests), timeout=10_000)
    with qtbot.waitSignal(dialog.rejected, timeout=5_000):
        dialog.demo_button.click()
    assert dialog.wants_demo
    assert dialog._cancel.is_set()  # the waiting sign-in stops


def test_the_screen_gives_up_after_its_timeout(
    plumbing, qtbot, google, database, app_paths, runner
):
    google.behaviour = "never"
    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http, timeout=0.5)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: "not finished in the browser" in dialog.error.text(), timeout=10_000)
    assert dialog.sign_in_button.isEnabled()


@pytest.mark.parametrize(
    ("behaviour", "fault", "sentence"),
    [
        ("wrong_state", None, "possible forged sign-in"),
        ("deny", None, "declined"),
        ("approve", "other_key", "possible forged sign-in"),
        ("approve", "expired", "expired"),
    ],
)
def test_a_failed_sign_in_shows_its_sentence(
    plumbing, qtbot, google, database, app_paths, runner, behaviour, fault, sentence
):
    google.behaviour, google.token_fault = behaviour, fault
    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: sentence in dialog.error.text(), timeout=30_000)
    assert dialog.pages.currentIndex() == 0


def test_join_with_an_invite_code(
    plumbing, qtbot, google, database, app_paths, runner, database_url: URL
):
    owner_team = team_service(database, Settings(), app_paths)
    owner_id, _ = owner_team.signed_in(
        GoogleProfile("g-owner", "owner@example.com", True, "O", None)
    )
    identity = owner_team.create_organization(owner_id, "Owner's Shop", "owners")
    with unit_of_work(database.sessions) as session:
        orgs.change_plan(
            session, organization_id=identity.organization_id, actor_id=owner_id, plan=PlanType.PRO
        )
    code = owner_team.invite(identity, "maya@example.com", MemberRole.MEMBER)
    assert InviteCode.parse(code).address.database == database_url.database

    _, dialog = first_run(qtbot, google, database, app_paths, runner, plumbing.http)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=30_000)
    dialog.code.setPlainText(code)
    # The code names the login the database made for Maya (migration 0013).
    login = InviteCode.parse(code).address.user
    assert login is not None and login.startswith("snorq_member_")
    qtbot.waitUntil(lambda: dialog.db_user.text() == login, timeout=10_000)
    dialog.db_password.setText("a wrong password")
    dialog.join_button.click()
    qtbot.waitUntil(lambda: "password is wrong" in dialog.error.text(), timeout=30_000)
    dialog.db_password.setText("")  # the code itself opens that login
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.join_button.click()
    assert dialog.identity is not None
    assert dialog.identity.organization_id == identity.organization_id
    saved = Settings.load(app_paths.settings_file)
    assert saved.database_url is not None and database_url.database in saved.database_url
    roles = {m.email: m.role for m in owner_team.team(identity).members}
    assert roles["maya@example.com"] is MemberRole.MEMBER


# --- Team ▸ Members… -------------------------------------------------------------------


def team_of_three(database: Database, app_paths) -> tuple[Identity, Identity, Identity]:
    team = team_service(database, Settings(), app_paths)
    people = []
    for name in ("maya", "ben", "eve"):
        user_id, _ = team.signed_in(
            GoogleProfile(f"g-{name}", f"{name}@example.com", True, name.title(), None)
        )
        people.append(user_id)
    owner = team.create_organization(people[0], "Maya's Shop", "maya-shop")
    with unit_of_work(database.sessions) as session:
        orgs.change_plan(
            session,
            organization_id=owner.organization_id,
            actor_id=people[0],
            plan=PlanType.BUSINESS,
        )
        orgs.add_member(
            session, organization_id=owner.organization_id, user_id=people[1], role=MemberRole.ADMIN
        )
        orgs.add_member(session, organization_id=owner.organization_id, user_id=people[2])
    as_ben = Identity(owner.organization_id, owner.organization_name, people[1], "Ben")
    as_eve = Identity(owner.organization_id, owner.organization_name, people[2], "Eve")
    return owner, as_ben, as_eve


def members_page(qtbot, database, app_paths, runner, identity) -> MembersDialog:
    dialog = MembersDialog(team_service(database, Settings(), app_paths), runner, identity)
    qtbot.addWidget(dialog)
    dialog.show()
    wait(qtbot, runner)
    return dialog


def select(dialog: MembersDialog, email: str) -> None:
    for row in range(dialog.model.rowCount()):
        if dialog.model.index(row, 1).data() == email:
            dialog.table.selectRow(row)
            return
    raise AssertionError(f"{email} not listed")


def roles(dialog: MembersDialog) -> dict[str, str]:
    return {
        dialog.model.index(r, 1).data(): dialog.model.index(r, 2).data()
        for r in range(dialog.model.rowCount())
    }


def test_the_owner_invites_changes_roles_removes_and_hands_on_ownership(
    qtbot, database, app_paths, runner, monkeypatch
):
    owner, _, _ = team_of_three(database, app_paths)
    dialog = members_page(qtbot, database, app_paths, runner, owner)
    assert roles(dialog) == {
        "maya@example.com": "Owner",
        "ben@example.com": "Admin",
        "eve@example.com": "Member",
    }
    invite = dialog.open_invite()
    qtbot.addWidget(invite)
    assert [invite.role.itemText(i) for i in range(invite.role.count())] == ["Member", "Admin"]
    invite.email.setText("zoe at example")
    invite.make_button.click()
    qtbot.waitUntil(lambda: "is not an email address" in invite.error.text(), timeout=10_000)
    assert invite.make_button.isEnabled() and not invite.code.isVisible()
    invite.email.setText("zoe@example.com")
    invite.make_button.click()
    qtbot.waitUntil(lambda: invite.code.isVisible(), timeout=10_000)
    assert InviteCode.parse(invite.code.toPlainText()).organization_id == owner.organization_id
    invite.copy_button.click()
    invite.reject()
    wait(qtbot, runner)
    assert roles(dialog)["zoe@example.com"].startswith("Member · invited")
    select(dialog, "zoe@example.com")
    assert dialog.cancel_invite_button.isEnabled() and not dialog.remove_button.isEnabled()
    dialog.cancel_invite_button.click()
    wait(qtbot, runner)
    assert "zoe@example.com" not in roles(dialog)

    select(dialog, "eve@example.com")
    dialog.role.setCurrentIndex(dialog.role.findData(MemberRole.ADMIN))
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]

    def answer(_parent, _title, question, *_args):
        asked.append(question)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog.change_role_button.click()  # asked first (issue 19.3): Cancel changes nothing
    wait(qtbot, runner)
    assert roles(dialog)["eve@example.com"] == "Member"
    assert asked[0].startswith("Make Eve admin instead of member?")
    assert "change their roles" in asked[0]
    select(dialog, "eve@example.com")
    dialog.role.setCurrentIndex(dialog.role.findData(MemberRole.ADMIN))
    dialog.change_role_button.click()
    wait(qtbot, runner)
    assert roles(dialog)["eve@example.com"] == "Admin"
    monkeypatch.undo()

    select(dialog, "eve@example.com")
    dialog.remove_button.click()
    wait(qtbot, runner)
    assert "eve@example.com" not in roles(dialog)

    select(dialog, "ben@example.com")
    assert dialog.transfer_button.isEnabled()
    dialog.transfer(confirmed=True)
    wait(qtbot, runner)
    assert roles(dialog)["ben@example.com"] == "Owner"
    assert roles(dialog)["maya@example.com"] == "Admin"
    select(dialog, "ben@example.com")  # Maya is an admin now: the owner is out of her reach
    assert not dialog.remove_button.isEnabled()
    assert "owner" in dialog.reason.text()


def test_an_admin_cannot_hand_on_ownership_or_touch_the_owner(qtbot, database, app_paths, runner):
    _, as_ben, _ = team_of_three(database, app_paths)
    dialog = members_page(qtbot, database, app_paths, runner, as_ben)
    select(dialog, "maya@example.com")
    assert not dialog.change_role_button.isEnabled() and not dialog.remove_button.isEnabled()
    select(dialog, "eve@example.com")
    assert dialog.remove_button.isEnabled() and not dialog.transfer_button.isEnabled()
    assert dialog.reason.text() == "Only the owner can hand ownership on."


def test_a_member_manages_nobody_and_is_told_why(qtbot, database, app_paths, runner):
    _, _, as_eve = team_of_three(database, app_paths)
    dialog = members_page(qtbot, database, app_paths, runner, as_eve)
    select(dialog, "ben@example.com")
    for button in (
        dialog.invite_button,
        dialog.change_role_button,
        dialog.remove_button,
        dialog.transfer_button,
    ):
        assert not button.isEnabled()
    assert "Only an owner or an admin manages members" in dialog.reason.text()
    # And below the screen: the store refuses even if the screen were bypassed.
    assert dialog.model.team is not None
    ben = next(m.user_id for m in dialog.model.team.members if m.email == "ben@example.com")
    team = team_service(database, Settings(), app_paths)
    with pytest.raises(PermissionDenied, match="Your role does not allow"):
        team.remove(as_eve, ben)


def test_the_window_has_team_members_in_its_menu(qtbot, shop, make_window):
    running = make_window()
    menus = [a.text().replace("&", "") for a in running.window.menuBar().actions()]
    assert "Team" in menus
    action = running.window.findChild(QAction, "membersAction")
    assert action is not None
    action.trigger()
    idle(qtbot, running)
    dialog = running.window.findChild(MembersDialog)
    assert dialog is not None and dialog.isVisible()
    # The window is a MEMBER's (make_window's default): they see their team.
    assert roles(dialog) == {"maya@example.com": "Owner", "mia@example.com": "Member"}


# --- layout (issue 12.5): nothing clipped ------------------------------------------


def test_the_members_table_shows_long_addresses_whole(
    qtbot, database, app_paths, runner, monkeypatch
):
    owner, _, _ = team_of_three(database, app_paths)
    team = team_service(database, Settings(), app_paths)
    long_address = "alexandra.konstantinopoulou@example-boutique.com"
    team.invite(owner, long_address, MemberRole.MEMBER)
    dialog = members_page(qtbot, database, app_paths, runner, owner)
    row = next(
        r for r in range(dialog.model.rowCount()) if dialog.model.index(r, 1).data() == long_address
    )
    needed = dialog.table.fontMetrics().horizontalAdvance(long_address)
    assert dialog.table.columnWidth(1) >= needed
    assert dialog.model.index(row, 1).data() == long_address


def test_the_invite_dialog_fits_its_title_and_its_error(qtbot, database, app_paths, runner):
    owner, _, _ = team_of_three(database, app_paths)
    dialog = members_page(qtbot, database, app_paths, runner, owner)
    invite = dialog.open_invite()
    qtbot.addWidget(invite)
    title = invite.fontMetrics().horizontalAdvance(invite.windowTitle())
    assert invite.width() >= title + 120  # room for the title bar's buttons
    invite.email.setText("not an address " * 6)
    invite.make_button.click()
    qtbot.waitUntil(lambda: "is not an email address" in invite.error.text(), timeout=10_000)
    qtbot.wait(50)
    error = invite.error
    assert error.height() >= error.heightForWidth(error.width())
    assert error.geometry().bottom() <= invite.rect().bottom()
