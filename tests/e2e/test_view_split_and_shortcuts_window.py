"""The split of the views and the shortcuts sheet (#17.7; offscreen, real
database, a MEMBER's own login): All / Unread / Waiting for us / Waiting for
them narrow whichever view is shown, and Help ▸ Keyboard shortcuts… lists
every key of the window, a feature's new action included."""

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from snorq_desktop.domain.inbox import InboxView
from snorq_desktop.domain.view_split import InboxSplit
from snorq_desktop.ui.inbox_model import SummaryRole
from snorq_desktop.ui.shortcuts_sheet import ShortcutsSheet
from tests.e2e.conftest import idle
from tests.shop import invited_login


def _names(window) -> list[str]:
    return [
        window.inbox.index(row).data(SummaryRole).contact_name
        for row in range(window.inbox.rowCount())
    ]


def test_the_split_narrows_whichever_view_is_shown(shop, make_window, qtbot):
    shop.add_conversations(4)
    shop.sql(
        "UPDATE conversations SET last_message_direction = CASE external_id "
        "WHEN 'ext-1' THEN 'OUTBOUND'::\"MessageDirection\" "
        "WHEN 'ext-3' THEN 'OUTBOUND'::\"MessageDirection\" ELSE 'INBOUND' END, "
        "unread_count = CASE WHEN external_id IN ('ext-0', 'ext-3') THEN 1 ELSE 0 END"
    )
    shop.sql("UPDATE conversations SET status = 'CLOSED' WHERE external_id = 'ext-2'")
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=login)
    window = running.window
    bar = window.view_split
    assert bar.titles() == [
        "All",
        "Unread",
        "Waiting for us",
        "Waiting for them",
    ]
    assert bar.current() is InboxSplit.ALL and len(_names(window)) == 4

    def shown(split: InboxSplit) -> list[str]:
        bar.choose(split)
        idle(qtbot, running)
        return [name.removeprefix("Customer ") for name in _names(window)]

    assert shown(InboxSplit.WAITING_FOR_US) == ["0", "2"]
    assert shown(InboxSplit.WAITING_FOR_THEM) == ["1", "3"]
    assert shown(InboxSplit.UNREAD) == ["0", "3"]
    window.sidebar.select(InboxView.OPEN)  # the split stays, over the new view
    idle(qtbot, running)
    assert bar.current() is InboxSplit.UNREAD
    assert shown(InboxSplit.WAITING_FOR_US) == ["0"]
    assert shown(InboxSplit.ALL) == ["0", "1", "3"]


def _open_sheet(window, qtbot) -> ShortcutsSheet:
    window.findChild(QAction, "shortcutsAction").trigger()
    sheet = next(s for s in window.findChildren(ShortcutsSheet) if s.isVisible())
    qtbot.addWidget(sheet)
    return sheet


def test_the_shortcuts_sheet_lists_every_key_a_new_action_included(shop, make_window, qtbot):
    shop.add_conversations(1)
    running = make_window()
    window = running.window
    help_menu = window.menus.help
    assert help_menu.title() == "&Help"
    assert window.menuBar().actions()[-1].menu() is help_menu
    sheet = _open_sheet(window, qtbot)
    groups = sheet.groups
    assert groups["Conversation"] == [
        ("Assign", "A"),
        ("Snooze", "S"),
        ("Close conversation", "E"),
    ]
    assert ("Keyboard shortcuts", "Ctrl+/") in groups["Help"]
    assert ("Go to a conversation", "Ctrl+K") in groups["Everywhere"]
    assert list(groups)[-1] == "Everywhere"
    shown = {label.text() for label in sheet.findChildren(QLabel) if label.isVisible()}
    assert {"Conversation", "Assign", "A", "Snooze", "S", "Close conversation", "E"} <= shown
    sheet.close()

    # A teammate's feature adds its action with a key: the sheet lists it, unedited.
    star = QAction("&Star…", window)
    star.setShortcut(QKeySequence("X"))
    window.menus.conversation.addAction(star)
    again = _open_sheet(window, qtbot)
    assert ("Star", "X") in again.groups["Conversation"]
