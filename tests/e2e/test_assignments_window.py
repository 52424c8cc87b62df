"""Who's on it in the window (#17.2, offscreen, real database, a MEMBER's own
login): the thread header's chooser, the row menu and the A key give a
conversation to a teammate or take it; Mine and Unassigned list and count
them; the assignee's avatar is on the row; replying to an unassigned
conversation takes it; and a teammate's window sees an assignment within a
second, the assignee getting a desktop notification."""

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QKeySequence, QPainter
from PySide6.QtWidgets import QMenu, QStyleOptionViewItem
from sqlalchemy import text

from snorq_desktop.domain.inbox import InboxView
from snorq_desktop.ui.assignments import ASSIGNED_TITLE, TAKE_IT, UNASSIGNED
from snorq_desktop.ui.formatting import colour_for
from snorq_desktop.ui.inbox_model import ConversationIdRole, SummaryRole
from snorq_desktop.ui.sidebar import ViewRole
from tests.e2e.conftest import idle
from tests.shop import invited_login

OWNER_NAME = "Maya"  # the shop's owner, as teammates see her


def _count(window, view: InboxView) -> str:
    views = window.sidebar.views
    row = next(r for r in range(views.rowCount()) if views.item(r).data(ViewRole) == view.value)
    return views.item(row).text()


def _choose(menu: QMenu, text: str) -> None:
    """As a click on the item does: its action, then the menu closes."""
    action = next(a for a in menu.actions() if a.text() == text)
    action.trigger()
    menu.close()


def _assignee(shop, conversation_id: str) -> str | None:
    [(assignee,)] = shop.sql(
        "SELECT assignee_user_id FROM conversations WHERE id = :c", c=conversation_id
    )
    return assignee


def _member_window(shop, make_window, qtbot, name: str = "eve"):
    shop.sql("UPDATE users SET name = :n WHERE id = :u", n=OWNER_NAME, u=shop.owner_id)
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(name, login=login)
    qtbot.waitUntil(
        lambda: OWNER_NAME in {t.name for t in running.window.assignments.teammates.values()}
    )
    return running, login.user_id


def _open(running, qtbot, row: int) -> str:
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(row))
    idle(qtbot, running)
    return str(window.inbox.index(row).data(ConversationIdRole))


def test_take_give_and_unassign_from_the_header_the_row_menu_and_the_a_key(
    shop, make_window, qtbot
):
    shop.add_conversations(3)
    running, me = _member_window(shop, make_window, qtbot)
    window = running.window
    assert _count(window, InboxView.UNASSIGNED) == "Unassigned  3"
    assert _count(window, InboxView.MINE) == "Mine"
    first = _open(running, qtbot, 0)
    button = window.assignments.button
    assert button.text() == UNASSIGNED
    button.click()  # the header's button opens the chooser
    menu = window.assignments.menu
    assert menu is not None and menu.isVisible()
    assert [a.text() for a in menu.actions() if a.text()] == [TAKE_IT, OWNER_NAME, UNASSIGNED]
    _choose(menu, TAKE_IT)
    qtbot.waitUntil(lambda: button.text() == "Assigned to you")
    assert _assignee(shop, first) == me
    qtbot.waitUntil(lambda: _count(window, InboxView.MINE) == "Mine  1")
    assert _count(window, InboxView.UNASSIGNED) == "Unassigned  2"

    window.sidebar.select(InboxView.MINE)
    idle(qtbot, running)
    assert window.inbox.rowCount() == 1
    assert window.inbox.index(0).data(ConversationIdRole) == first

    # The row's right-click menu: Assign to ▸ the owner; it leaves Mine.
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    row_menu = window.labels.inbox_menu()
    assert row_menu is not None
    assign_to = next(a.menu() for a in row_menu.actions() if a.text() == "Assign to")
    _choose(assign_to, OWNER_NAME)
    qtbot.waitUntil(lambda: window.inbox.rowCount() == 0)
    assert _assignee(shop, first) == shop.owner_id
    qtbot.waitUntil(lambda: _count(window, InboxView.MINE) == "Mine")

    # A, on the window: the chooser for the open conversation; back to Unassigned.
    window.sidebar.select(InboxView.ALL)
    idle(qtbot, running)
    window.open_conversation(first)
    idle(qtbot, running)
    qtbot.waitUntil(lambda: button.text() == f"Assigned to {OWNER_NAME}")
    action = window.assignments.action
    assert action.shortcut() == QKeySequence("A") and action in window.actions()
    window.assignments.menu = None
    window.activateWindow()
    window.inbox_view.setFocus()
    qtbot.waitUntil(window.inbox_view.hasFocus)
    qtbot.keyClick(window.inbox_view, Qt.Key.Key_A)
    chooser = window.assignments.menu
    assert chooser is not None and chooser.isVisible()
    owner_action = next(a for a in chooser.actions() if a.text() == OWNER_NAME)
    assert owner_action.isChecked(), "the current assignee is ticked"
    _choose(chooser, UNASSIGNED)
    qtbot.waitUntil(lambda: button.text() == UNASSIGNED)
    assert _assignee(shop, first) is None
    qtbot.waitUntil(lambda: _count(window, InboxView.UNASSIGNED) == "Unassigned  3")
    # In the reply box, an "a" is a letter, not the shortcut.
    window.assignments.menu = None
    editor = window.thread_pane.composer.editor
    window.activateWindow()
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "a")
    assert window.assignments.menu is None and editor.toPlainText() == "a"


def _assignee_pixels(window, row: int, colour) -> int:
    """How many pixels of the row, painted alone, are the assignee's colour."""
    delegate = window.inbox_delegate
    option = QStyleOptionViewItem()
    option.initFrom(window.inbox_view)
    option.rect = QRect(0, 0, 380, 68)
    image = QImage(380, 68, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    delegate.paint(painter, option, window.inbox.index(row))
    painter.end()
    wanted = colour.rgb()
    return sum(1 for x in range(380) for y in range(68) if image.pixel(x, y) == wanted)


def test_the_assignees_avatar_is_on_the_row(shop, make_window, qtbot):
    shop.add_conversations(2)
    running, _ = _member_window(shop, make_window, qtbot)
    window = running.window
    first = window.inbox.index(0).data(ConversationIdRole)
    window.assignments.assign([first], shop.owner_id)
    qtbot.waitUntil(lambda: window.inbox.index(0).data(SummaryRole).assignee_id == shop.owner_id)
    maya = colour_for(OWNER_NAME)
    # Maya's initials on her colour, a small circle at the end of the preview line.
    assert _assignee_pixels(window, 0, maya) > 100
    assert _assignee_pixels(window, 1, maya) == 0, "an unassigned row has no avatar"


def test_replying_to_an_unassigned_conversation_takes_it(shop, make_window, qtbot):
    shop.add_conversations(2)
    running, me = _member_window(shop, make_window, qtbot)
    window = running.window
    conversation = _open(running, qtbot, 1)
    composer = window.thread_pane.composer
    qtbot.keyClicks(composer.editor, "Yes, we have it in blue")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.assignments.button.text() == "Assigned to you")
    assert _assignee(shop, conversation) == me
    assert shop.sql(
        "SELECT count(*) FROM messages WHERE conversation_id = :c AND direction = 'OUTBOUND'",
        c=conversation,
    ) == [(1,)]
    qtbot.waitUntil(lambda: _count(window, InboxView.MINE) == "Mine  1")


def test_a_teammate_sees_an_assignment_within_a_second_and_is_notified(shop, make_window, qtbot):
    shop.add_conversations(3)
    member, me = _member_window(shop, make_window, qtbot, "eve")
    owner = make_window("maya", as_administrator=True)  # the shop's owner, Maya
    qtbot.waitUntil(lambda: len(owner.window.assignments.teammates) == 2)
    qtbot.wait(300)  # both listeners connected
    notified: list[tuple[str, str, str]] = []
    member.window.tray.notify = lambda *shown: notified.append(shown)
    target = _open(owner, qtbot, 2)
    owner.window.assignments.open_chooser()
    eve = next(t.name for t in owner.window.assignments.teammates.values() if t.user_id == me)
    _choose(owner.window.assignments.menu, eve)
    row = member.window.inbox.row_of(target)
    qtbot.waitUntil(lambda: member.window.inbox.summary_at(row).assignee_id == me, timeout=1000)
    qtbot.waitUntil(lambda: _count(member.window, InboxView.MINE) == "Mine  1", timeout=1000)
    qtbot.waitUntil(lambda: bool(notified), timeout=1000)
    assert notified == [(target, ASSIGNED_TITLE, "Customer 2: Hello number 2")]
    # And back: the member takes another; the owner's window shows it as Eve's.
    other = _open(member, qtbot, 0)
    member.window.assignments.open_chooser()
    _choose(member.window.assignments.menu, TAKE_IT)
    qtbot.waitUntil(
        lambda: owner.window.inbox.summary_at(owner.window.inbox.row_of(other)).assignee_id == me,
        timeout=1000,
    )
    assert notified == [(target, ASSIGNED_TITLE, "Customer 2: Hello number 2")], "no self-notice"


def test_the_demo_opens_with_mine_and_a_teammates_conversations(demo_shop, make_window, qtbot):
    running = make_window(as_administrator=True)  # the demo's Maya
    window = running.window
    maya = window.identity.user_id
    qtbot.waitUntil(lambda: _count(window, InboxView.MINE) == "Mine  2")
    with demo_shop() as session:
        given = session.execute(
            text(
                "SELECT u.name, count(*) FROM conversations c JOIN users u "
                "ON u.id = c.assignee_user_id GROUP BY u.name ORDER BY u.name"
            )
        ).all()
    assert [tuple(row) for row in given] == [("Leo Park", 2), ("Maya Okafor", 2)]
    window.sidebar.select(InboxView.MINE)
    idle(qtbot, running)
    rows = [window.inbox.index(r).data(SummaryRole) for r in range(window.inbox.rowCount())]
    assert len(rows) == 2 and {r.assignee_id for r in rows} == {maya}
