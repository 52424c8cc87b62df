"""A reply being written belongs to its conversation (issue 12.1): kept per
conversation and across restarts, "Draft:" on its row, its Reply / Internal
note choice kept with it."""

from PySide6.QtCore import Qt

from snorq_desktop.ui.inbox_model import ConversationIdRole
from tests.e2e.conftest import idle


def _open_row(qtbot, running, row: int) -> str:
    window = running.window
    index = window.inbox.index(row)
    window.inbox_view.setCurrentIndex(index)
    idle(qtbot, running)
    return str(index.data(ConversationIdRole))


def _outbound(shop, conversation_id: str) -> list[tuple[object, ...]]:
    return shop.sql(
        "SELECT content FROM messages WHERE conversation_id = :c AND direction = 'OUTBOUND'",
        c=conversation_id,
    )


def test_text_typed_for_one_customer_never_goes_to_the_next(shop, make_window, qtbot):
    shop.add_conversations(2)
    running = make_window()
    pane = running.window.thread_pane
    editor = pane.composer.editor
    priya = _open_row(qtbot, running, 0)
    qtbot.keyClicks(editor, "Your order ships Friday")
    other = _open_row(qtbot, running, 1)
    assert editor.toPlainText() == ""  # the other customer's box is their own
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, running)
    assert _outbound(shop, other) == [] and _outbound(shop, priya) == []
    assert pane.drafts.has_draft(priya) and not pane.drafts.has_draft(other)
    _open_row(qtbot, running, 0)
    assert editor.toPlainText() == "Your order ships Friday"


def test_a_draft_survives_a_restart_and_goes_once_sent(shop, make_window, qtbot):
    shop.add_conversations(2)
    first = make_window("first")
    priya = _open_row(qtbot, first, 0)
    qtbot.keyClicks(first.window.thread_pane.composer.editor, "Half a thought")
    first.close()  # closing saves what is in the box

    again = make_window("again")
    idle(qtbot, again)
    pane = again.window.thread_pane
    assert pane.drafts.has_draft(priya)  # "Draft:" on its row before it is opened
    assert _open_row(qtbot, again, 0) == priya
    qtbot.waitUntil(lambda: pane.composer.editor.toPlainText() == "Half a thought")
    assert shop.sql("SELECT content FROM reply_drafts") == [("Half a thought",)]
    qtbot.keyClick(pane.composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, again)
    assert _outbound(shop, priya) == [("Half a thought",)]
    assert not pane.drafts.has_draft(priya)
    pane.drafts.save_now()
    idle(qtbot, again)
    assert shop.sql("SELECT count(*) FROM reply_drafts") == [(0,)]


def test_the_reply_or_note_choice_stays_with_its_conversation(shop, make_window, qtbot):
    shop.add_conversations(2)
    running = make_window()
    composer = running.window.thread_pane.composer
    _open_row(qtbot, running, 0)
    composer.note_tab.click()
    qtbot.keyClicks(composer.editor, "Customer prefers mornings")
    _open_row(qtbot, running, 1)
    assert not composer.note_mode  # an answer for this customer stays an answer
    assert composer.send_button.text() == "Send"
    _open_row(qtbot, running, 0)
    assert composer.note_mode and composer.editor.toPlainText() == "Customer prefers mornings"
