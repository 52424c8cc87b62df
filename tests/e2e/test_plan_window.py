"""Team ▸ Plan… driven like a person would, offscreen: entering a licence by
pasting it or opening its file, a refusal's sentence, two apps of a team seeing
the new plan at once (LISTEN/NOTIFY), and the banner before and after the end."""

import time
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import Qt

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.identity import Identity
from snorq_desktop.secrets.licence import LicenceKeys, issue_licence
from snorq_desktop.services.plan import PlanService
from tests.e2e.conftest import idle

KEY = Ed25519PrivateKey.generate()
KEYS = LicenceKeys(KEY.public_key())


def _licence(shop, plan=PlanType.PRO, **options):
    return issue_licence(
        KEY,
        organization_id=options.pop("organization_id", shop.organization_id),
        organization_slug=options.pop("slug", "maya"),
        plan=plan,
        **options,
    )


# The plan page is the OWNER's (only the owner changes the plan): these windows
# are the owner's, through the administrator login (make_window's as_administrator).


def _open_plan(running, qtbot):
    menu = next(a.menu() for a in running.window.menuBar().actions() if a.text() == "&Team")
    actions = {action.objectName(): action for action in menu.actions()}
    actions["teamPlanAction"].trigger()
    page = running.team.plan_page
    assert page is not None and page.isVisible()
    idle(qtbot, running)
    return page


def test_the_plan_page_enters_a_pasted_or_opened_licence(shop, make_window, qtbot, tmp_path):
    shop.sql("UPDATE organizations SET plan = 'FREE'")
    running = make_window("maya", as_administrator=True, licence_keys=KEYS)
    page = _open_plan(running, qtbot)
    assert page.summary.text() == "Free plan: 1 of 1 seat(s) used"
    assert page.details.text() == "History kept: the last 30 days. API access: no."
    assert f"id: {shop.organization_id}" in page.how_to.text()  # what to send SNORQ
    assert page.table.rowCount() == 3

    # Another shop's licence, pasted: one sentence, nothing changes.
    page.licence_text.setPlainText(_licence(shop, organization_id="c-other", slug="leos"))
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert page.error.text() == (
        "This licence is for another organisation (leos), not maya: ask SNORQ for a "
        "licence for maya."
    )
    assert page.summary.text() == "Free plan: 1 of 1 seat(s) used"

    # The licence file SNORQ sent, opened.
    file = tmp_path / "maya.licence"
    file.write_text(_licence(shop, PlanType.BUSINESS) + "\n")
    page.open_file(file)
    idle(qtbot, running)
    assert page.error.text() == ""
    assert page.summary.text() == "Business plan: 1 of 4 seat(s) used"
    assert page.details.text() == "History kept: all of it. API access: yes."
    assert page.licence_line.text().startswith("Licence for maya: Business, ends on ")
    assert shop.sql("SELECT plan::text FROM organizations") == [("BUSINESS",)]


def test_a_licence_entered_in_one_app_shows_in_the_other_at_once(shop, make_window, qtbot):
    shop.sql("UPDATE organizations SET plan = 'FREE'")
    first = make_window("maya", as_administrator=True, licence_keys=KEYS)
    second = make_window("leo", as_administrator=True, licence_keys=KEYS)
    other_page = _open_plan(second, qtbot)
    qtbot.wait(300)  # both listeners connected
    assert second.team.plan_banner.isHidden()
    ends = datetime.now(UTC) + timedelta(days=10)
    page = _open_plan(first, qtbot)
    page.licence_text.setPlainText(_licence(shop, expires_at=ends))
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    # The other app hears it: its banner and its open Plan page follow.
    qtbot.waitUntil(lambda: second.team.plan_banner.isVisible(), timeout=5000)
    assert second.team.plan_banner.text().startswith(
        f"Your Pro licence ends on {ends.day} {ends.strftime('%b %Y')}; after that the Free "
        "plan's rules apply"
    )
    qtbot.waitUntil(
        lambda: other_page.summary.text() == "Pro plan: 1 of 3 seat(s) used", timeout=5000
    )


def test_after_the_end_the_banner_says_the_free_rules_apply(shop, make_window, qtbot):
    shop.sql("UPDATE organizations SET plan = 'FREE'")
    owner = Identity(shop.organization_id, "Maya's Shop", shop.owner_id, "Maya")
    ends = datetime.now(UTC) + timedelta(seconds=1)
    PlanService(shop.sessions, KEYS).activate(owner, _licence(shop, expires_at=ends))
    while datetime.now(UTC) <= ends:
        time.sleep(0.2)
    running = make_window("maya", as_administrator=True, licence_keys=KEYS)
    banner = running.team.plan_banner
    assert banner.isVisible()
    assert banner.text().startswith(f"Your Pro licence ended on {ends.day} ")
    assert "Nothing was deleted" in banner.text()
    page = _open_plan(running, qtbot)
    assert page.summary.text() == "Free plan: 1 of 1 seat(s) used"
    assert shop.sql("SELECT plan::text FROM organizations") == [("FREE",)]
    assert shop.sql("SELECT count(*) FROM licences") == [(1,)]  # kept


def test_a_licence_not_signed_by_the_key_the_app_trusts_is_refused(shop, make_window, qtbot):
    """The app's own key decides: a licence signed by any other key (the demo's
    included) enters nothing."""
    running = make_window("maya", as_administrator=True)  # SNORQ's built-in key
    page = _open_plan(running, qtbot)
    page.licence_text.setPlainText(_licence(shop))
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert page.error.text().startswith("This licence's signature does not match its text")
    assert shop.sql("SELECT count(*) FROM licences") == [(0,)]


def test_the_plans_table_shows_every_plan_without_scrolling(shop, make_window, qtbot):
    """The table was squeezed to a row and a half: Business, the plan with the
    API, was behind a scroll bar."""
    page = _open_plan(make_window("maya", licence_keys=KEYS), qtbot)
    table = page.table
    assert table.rowCount() == 3
    for row in range(table.rowCount()):
        cell = table.visualRect(table.model().index(row, 0))
        assert cell.top() >= 0 and cell.bottom() <= table.viewport().height(), row
    assert not table.verticalScrollBar().isVisible()
