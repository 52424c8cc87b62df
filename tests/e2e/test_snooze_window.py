"""Snooze and the conversation keys in the window (#17.3, #17.7; offscreen, real
database, a MEMBER's own login): the header's control and the row's menu
hide a conversation until its time, the Snoozed view lists it with that
time, S and E work in the inbox but never while typing, a time of one's own
is refused when past, it wakes unread at its time, a teammate sees it all."""

from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu
from sqlalchemy import text

from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.domain.snooze import PAST_TIME
from snorq_desktop.store import inbox
from snorq_desktop.store import labels as label_store
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.ui.inbox_model import ConversationIdRole, SummaryRole
from snorq_desktop.ui.sidebar import LabelIdRole, ViewRole
from snorq_desktop.ui.snooze_menu import SnoozeDialog
from tests.e2e.conftest import idle
from tests.shop import invited_login


def _ids(window) -> list[str]:
    return [
        window.inbox.index(row).data(ConversationIdRole) for row in range(window.inbox.rowCount())
    ]


def _snoozed(shop) -> dict[str, datetime]:
    return dict(
        shop.sql("SELECT id, snoozed_until FROM conversations WHERE snoozed_until IS NOT NULL")
    )


def _sidebar_text(window, view: InboxView) -> str:
    views = window.sidebar.views
    for row in range(views.rowCount()):
        if views.item(row).data(ViewRole) == view.value:
            return views.item(row).text()
    raise AssertionError(view)


def _opened(shop, make_window, qtbot, count=3, **kwargs):
    shop.add_conversations(count, unread=1)
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=login, **kwargs)
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    return running, window


def _menu_of(keys) -> QMenu | None:
    return keys.menu


def _choose(menu: QMenu, name: str) -> None:
    action = menu.findChild(QAction, name)
    assert action is not None, [a.objectName() for a in menu.actions()]
    action.trigger()


def test_the_header_snoozes_until_tomorrow_and_the_snoozed_view_shows_when(
    shop, make_window, qtbot
):
    running, window = _opened(shop, make_window, qtbot)
    target = window.thread_pane.conversation_id
    keys = window.conversation_keys
    keys.button.click()
    assert keys.menu is not None and keys.menu.isVisible()
    titles = [a.text().split("\t")[0] for a in keys.menu.actions() if a.text()]
    assert titles == ["Later today", "Tomorrow 9:00", "Next week", "Pick a date and time…"]
    _choose(keys.menu, "snooze_tomorrow")
    idle(qtbot, running)

    until = _snoozed(shop)[target]
    local = until.astimezone()
    assert (local.hour, local.minute) == (9, 0)
    assert local.date() == (datetime.now().astimezone() + timedelta(days=1)).date()
    assert target not in _ids(window) and len(_ids(window)) == 2
    qtbot.waitUntil(lambda: _sidebar_text(window, InboxView.SNOOZED) == "Snoozed  1")
    assert _sidebar_text(window, InboxView.ALL) == "All  2"
    window.sidebar.select(InboxView.SNOOZED)
    idle(qtbot, running)
    assert _ids(window) == [target]
    assert window.inbox.index(0).data(SummaryRole).snoozed_until == until
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    assert keys.button.text() == "Snoozed"
    assert keys.button.toolTip() == "Snoozed until Tomorrow 9:00"

    keys.button.click()  # snoozed: the menu ends with Unsnooze
    _choose(keys.menu, "unsnooze")
    idle(qtbot, running)
    assert _snoozed(shop) == {} and _ids(window) == []
    qtbot.waitUntil(lambda: _sidebar_text(window, InboxView.ALL) == "All  3")


def test_s_in_the_inbox_opens_the_menu_and_typing_s_in_the_reply_box_types_it(
    shop, make_window, qtbot
):
    running, window = _opened(shop, make_window, qtbot)
    window.activateWindow()
    keys = window.conversation_keys
    editor = window.thread_pane.composer.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "so sorry, yes")
    qtbot.keyClick(editor, Qt.Key.Key_S)
    qtbot.keyClick(editor, Qt.Key.Key_E)
    idle(qtbot, running)
    assert editor.toPlainText() == "so sorry, yesse"
    assert keys.menu is None  # no snooze menu opened
    assert shop.sql("SELECT count(*) FROM conversations WHERE status <> 'OPEN'") == [(0,)]
    search = window.search
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "se")
    assert search.text() == "se" and keys.menu is None
    search.clear()
    idle(qtbot, running)

    window.inbox_view.setFocus()
    qtbot.waitUntil(window.inbox_view.hasFocus)
    qtbot.keyClick(window.inbox_view, Qt.Key.Key_S)
    menu = _menu_of(keys)  # (read again: the key made it)
    assert menu is not None and menu.isVisible()
    _choose(menu, "snooze_later_today")
    idle(qtbot, running)
    target = window.thread_pane.conversation_id
    until = _snoozed(shop)[target]
    assert (
        timedelta(hours=2, minutes=59) < until - datetime.now().astimezone() <= timedelta(hours=3)
    )


def test_e_closes_the_open_conversation(shop, make_window, qtbot):
    running, window = _opened(shop, make_window, qtbot)
    target = window.thread_pane.conversation_id
    window.activateWindow()
    window.inbox_view.setFocus()
    qtbot.waitUntil(window.inbox_view.hasFocus)
    qtbot.keyClick(window.inbox_view, Qt.Key.Key_E)
    idle(qtbot, running)
    assert shop.sql("SELECT status::text FROM conversations WHERE id = :id", id=target) == [
        ("CLOSED",)
    ]
    menu = window.menus.conversation
    assert [a.objectName() for a in menu.actions()][:3] == [
        "assignAction",
        "snoozeAction",
        "closeConversationAction",
    ]


def test_a_time_of_ones_own_is_refused_when_past_and_kept_when_ahead(shop, make_window, qtbot):
    running, window = _opened(shop, make_window, qtbot)
    target = window.thread_pane.conversation_id
    keys = window.conversation_keys
    keys.button.click()
    _choose(keys.menu, "snooze_custom")
    dialog = window.findChild(SnoozeDialog)
    assert dialog is not None and dialog.isVisible()
    yesterday = QDateTime.currentDateTime().addDays(-1)
    dialog.when.setDateTime(yesterday)
    dialog.ok_button.click()
    idle(qtbot, running)
    assert dialog.isVisible() and dialog.error.isVisible() and dialog.error.text() == PAST_TIME
    assert _snoozed(shop) == {}
    ahead = QDateTime.currentDateTime().addDays(3)
    dialog.when.setDateTime(ahead)
    dialog.ok_button.click()
    idle(qtbot, running)
    assert not dialog.isVisible()
    until = _snoozed(shop)[target]
    assert until.timestamp() == ahead.toSecsSinceEpoch() - ahead.time().second()


def test_the_rows_menu_snoozes_every_chosen_conversation(shop, make_window, qtbot):
    running, window = _opened(shop, make_window, qtbot)
    chosen = _ids(window)[:2]
    selection = window.inbox_view.selectionModel()
    for row in range(2):
        selection.select(window.inbox.index(row), selection.SelectionFlag.Select)
    menu = window.labels.inbox_menu()
    snooze = next(a.menu() for a in menu.actions() if a.menu() and a.text().startswith("Snooze"))
    assert snooze.title() == "Snooze 2 conversations"
    _choose(snooze, "snooze_next_week")
    idle(qtbot, running)
    times = _snoozed(shop)
    assert set(times) == set(chosen)
    local = next(iter(times.values())).astimezone()
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    assert _ids(window) == [i for i in _ids(window) if i not in chosen] and len(_ids(window)) == 1


def test_at_its_time_it_comes_back_unread_without_anyone_touching_it(shop, make_window, qtbot):
    shop.add_conversations(2)
    snooze_ext_0 = (
        "UPDATE conversations SET snoozed_until = now() + :wait WHERE external_id = 'ext-0'"
    )
    shop.sql(snooze_ext_0, wait=timedelta(days=1))
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=login)
    window = running.window
    assert len(_ids(window)) == 1
    # Now due in a second (as a teammate's snooze, whose notice rereads the counts).
    shop.sql(snooze_ext_0, wait=timedelta(seconds=1))
    window.refresh_counts()
    qtbot.waitUntil(lambda: len(_ids(window)) == 2, timeout=15_000)
    summary = window.inbox.index(0).data(SummaryRole)
    assert summary.unread_count == 1 and summary.snoozed_until is None
    assert _snoozed(shop) == {}
    qtbot.waitUntil(lambda: _sidebar_text(window, InboxView.UNREAD) == "Unread  1")


def _label_text(window, label_id: str) -> str:
    views = window.sidebar.views
    for row in range(views.rowCount()):
        if views.item(row).data(LabelIdRole) == label_id:
            return views.item(row).text()
    raise AssertionError(label_id)


def test_a_labels_count_says_what_its_list_shows_while_one_is_snoozed(shop, make_window, qtbot):
    shop.add_conversations(3)
    with unit_of_work(shop.sessions) as session:
        vip = label_store.create_label(session, shop.organization_id, "VIP", "#ef4444")
        ids = ["c" + str(n).zfill(24) for n in range(3)]
        label_store.apply_label(session, shop.organization_id, vip, ids)
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=login)
    window = running.window
    qtbot.waitUntil(lambda: _label_text(window, vip) == "VIP  3")
    window.sidebar.select_label(vip)
    idle(qtbot, running)
    window.conversation_keys.snooze([ids[0]], datetime.now().astimezone() + timedelta(days=1))
    idle(qtbot, running)
    assert len(_ids(window)) == 2
    qtbot.waitUntil(lambda: _label_text(window, vip) == "VIP  2")
    # Due in a second: it wakes, back in the list and in the count.
    shop.sql("UPDATE conversations SET snoozed_until = now() + interval '1 second'")
    window.refresh_counts()
    qtbot.waitUntil(lambda: len(_ids(window)) == 3, timeout=15_000)
    qtbot.waitUntil(lambda: _label_text(window, vip) == "VIP  3")


def test_a_teammate_sees_a_snooze_and_its_end_within_a_second(shop, make_window, qtbot):
    running, window = _opened(shop, make_window, qtbot)
    other = make_window("leo").window
    qtbot.wait(300)  # both listeners connected
    target = window.thread_pane.conversation_id
    assert target in _ids(other)
    keys = window.conversation_keys
    keys.button.click()
    _choose(keys.menu, "snooze_later_today")
    qtbot.waitUntil(lambda: target not in _ids(other), timeout=1000)
    qtbot.waitUntil(lambda: _sidebar_text(other, InboxView.SNOOZED) == "Snoozed  1", timeout=1000)
    idle(qtbot, running)
    keys.unsnooze([target])
    qtbot.waitUntil(lambda: target in _ids(other), timeout=1000)


def test_the_demo_has_a_snoozed_conversation(demo_shop):
    with demo_shop() as session:
        org = session.execute(text("SELECT id FROM organizations")).scalar_one()
        shown = inbox.inbox_page(session, org, InboxQuery(view=InboxView.SNOOZED))
    assert len(shown) == 1  # the oldest: no label, no note of the demo's is hidden
    until = shown[0].snoozed_until
    assert until is not None
    local = until.astimezone()
    assert (local.hour, local.minute) == (9, 0)
