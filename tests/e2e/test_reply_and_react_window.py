"""Reply to one message and react to a customer's, from the window (issue 11.6):
right-click a bubble (or the keyboard), "Replying to …" above the box with ✕,
the target kept with its own conversation only."""

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

from snorq_desktop.domain.enums import Platform
from snorq_desktop.ui.inbox_model import ConversationIdRole
from snorq_desktop.ui.message_menu import REMOVE_REACTION
from snorq_desktop.ui.reply_bar import ReplyTarget
from tests.e2e.conftest import idle


def _open_row(qtbot, running, row: int) -> str:
    window = running.window
    index = window.inbox.index(row)
    window.inbox_view.setCurrentIndex(index)
    idle(qtbot, running)
    return str(index.data(ConversationIdRole))


def _target_of(pane: Any) -> ReplyTarget | None:
    return pane.composer.reply_target


def _open(qtbot, running, conversation_id: str) -> None:
    inbox = running.window.inbox
    [row] = [
        r
        for r in range(inbox.rowCount())
        if inbox.index(r).data(ConversationIdRole) == conversation_id
    ]
    assert _open_row(qtbot, running, row) == conversation_id


def _customer_row(pane) -> int:
    model = pane.model
    return next(
        r
        for r in range(model.rowCount())
        if (m := model.message_at(r)) is not None and m.direction.value == "INBOUND"
    )


def _right_click(qtbot, pane, row: int) -> QMenu:
    qtbot.waitUntil(lambda: pane.header is not None)
    point = pane.view.visualRect(pane.model.index(row)).center()
    pane.view.customContextMenuRequested.emit(point)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu) and menu is pane.menus.menu
    return menu


def _action(menu: QMenu, starts: str):
    [found] = [a for a in menu.actions() if a.text().startswith(starts)]
    return found


def _send(qtbot, running, text: str) -> None:
    editor = running.window.thread_pane.composer.editor
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, running)


def _replies(shop, conversation_id: str) -> list[tuple[object, ...]]:
    return shop.sql(
        "SELECT content, reply_to_external_id FROM messages"
        " WHERE conversation_id = :c AND direction = 'OUTBOUND' ORDER BY created_at",
        c=conversation_id,
    )


def test_right_click_reply_quotes_the_message_above_the_box_and_on_our_reply(
    shop, make_window, qtbot
):
    shop.add_conversations(2)
    running = make_window()
    pane = running.window.thread_pane
    first = _open_row(qtbot, running, 0)
    menu = _right_click(qtbot, pane, _customer_row(pane))
    reply = _action(menu, "Reply")
    assert reply.isEnabled()
    menu.close()
    reply.trigger()
    bar = pane.composer.reply_bar
    assert bar.isVisible() and bar.label.text() == "Replying to “Hello number 0”"
    _send(qtbot, running, "It is, in blue")
    assert _replies(shop, first) == [("It is, in blue", "msg-ext-0")]
    assert not bar.isVisible() and pane.composer.reply_target is None
    ours = [pane.model.message_at(r) for r in range(pane.model.rowCount())][-1]
    assert ours is not None and ours.quoted == "Hello number 0"


def test_the_cross_cancels_and_the_keyboard_chooses_the_newest_customer_message(
    shop, make_window, qtbot
):
    shop.add_conversations(1)
    running = make_window()
    pane = running.window.thread_pane
    conversation = _open_row(qtbot, running, 0)
    qtbot.waitUntil(lambda: pane.header is not None)
    editor = pane.composer.editor
    editor.setFocus()
    qtbot.keyClick(
        editor,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert pane.composer.reply_target is not None
    assert pane.composer.reply_bar.label.text() == "Replying to “Hello number 0”"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert pane.composer.reply_target is None and not pane.composer.reply_bar.isVisible()
    pane.menus.reply_to_newest()
    pane.composer.reply_bar.cancel_button.click()
    assert pane.composer.reply_target is None
    # Shift+F10 in the thread: the newest message's menu.
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    reply = _action(menu, "Reply")
    menu.close()
    reply.trigger()
    _send(qtbot, running, "Yes")
    assert _replies(shop, conversation) == [("Yes", "msg-ext-0")]


def test_a_reply_target_stays_with_its_conversation_and_survives_a_restart(
    shop, make_window, qtbot
):
    shop.add_conversations(2)
    first_window = make_window("first")
    pane = first_window.window.thread_pane
    first = _open_row(qtbot, first_window, 0)
    qtbot.waitUntil(lambda: pane.header is not None)
    pane.menus.reply_to_newest()
    second = _open_row(qtbot, first_window, 1)
    assert pane.composer.reply_target is None  # the next customer's box answers nothing
    _send(qtbot, first_window, "A plain answer")
    assert _replies(shop, second) == [("A plain answer", None)]
    assert _replies(shop, first) == []
    _open(qtbot, first_window, first)  # our reply moved the other one to the top
    qtbot.waitUntil(lambda: pane.composer.reply_target is not None)
    target = _target_of(pane)  # read again: the draft brought it back
    assert target is not None and target.conversation_id == first
    first_window.close()  # closing keeps the draft, target and all

    again = make_window("again")
    pane = again.window.thread_pane
    _open(qtbot, again, first)
    qtbot.waitUntil(lambda: pane.composer.reply_bar.isVisible())
    assert pane.composer.reply_bar.label.text() == "Replying to “Hello number 0”"
    _send(qtbot, again, "Answered after a restart")
    assert _replies(shop, first) == [("Answered after a restart", "msg-ext-0")]


def test_react_from_the_menu_shows_at_once_and_can_be_taken_off(shop, make_window, qtbot):
    shop.add_conversations(2)
    running = make_window()
    pane = running.window.thread_pane
    conversation = _open_row(qtbot, running, 0)
    before = shop.sql("SELECT last_message_at, unread_count FROM conversations ORDER BY id")
    row = _customer_row(pane)
    menu = _right_click(qtbot, pane, row)
    react = _action(menu, "React").menu()
    assert react is not None and react.isEnabled()
    assert REMOVE_REACTION not in [a.text() for a in react.actions()]  # none of ours yet
    [thumbs] = [a for a in react.actions() if a.text() == "👍"]
    menu.close()
    thumbs.trigger()
    assert pane.model.message_at(row).reactions == ("👍",)  # on the bubble at once
    idle(qtbot, running)
    assert shop.sql(
        "SELECT reaction_unsent FROM messages WHERE conversation_id = :c", c=conversation
    ) == [("👍",)]
    assert pane.model.message_at(row).my_reaction == "👍"
    menu = _right_click(qtbot, pane, row)
    react = _action(menu, "React").menu()
    assert [a.text() for a in react.actions() if a.isChecked()] == ["👍"]
    [remove] = [a for a in react.actions() if a.text() == REMOVE_REACTION]
    menu.close()
    remove.trigger()
    assert pane.model.message_at(row).reactions == ()
    idle(qtbot, running)
    assert shop.sql(
        "SELECT reaction_unsent FROM messages WHERE conversation_id = :c", c=conversation
    ) == [("",)]
    # The inbox kept its order and unread counts.
    assert shop.sql("SELECT last_message_at, unread_count FROM conversations ORDER BY id") == before


def test_on_tiktok_reply_and_react_are_greyed_with_the_reason(shop, make_window, qtbot):
    shop.add_conversations(1, Platform.TIKTOK)
    running = make_window()
    pane = running.window.thread_pane
    _open_row(qtbot, running, 0)
    menu = _right_click(qtbot, pane, _customer_row(pane))
    reply, react = _action(menu, "Reply"), _action(menu, "React")
    assert not reply.isEnabled()
    assert "TikTok cannot send a reply to a specific message" in reply.text()
    assert not react.isEnabled()
    assert "TikTok does not take reactions" in react.text()
    menu.close()
    pane.menus.reply_to_newest()  # the keyboard way chooses nothing either
    assert pane.composer.reply_target is None


def test_a_refused_reaction_leaves_the_bubble_as_it_was(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql("UPDATE platform_connections SET status = 'EXPIRED' WHERE platform = 'WHATSAPP'")
    running = make_window()
    pane = running.window.thread_pane
    _open_row(qtbot, running, 0)
    row = _customer_row(pane)
    said: list[str] = []
    running.runner.failed.connect(said.append)
    pane.react(pane.model.message_at(row), "👍")
    assert pane.model.message_at(row).reactions == ("👍",)
    idle(qtbot, running)
    assert pane.model.message_at(row).reactions == ()
    assert said == ["The WhatsApp connection has expired: reconnect it to reply."]
    assert shop.sql("SELECT count(*) FROM messages WHERE reaction_unsent IS NOT NULL") == [(0,)]
