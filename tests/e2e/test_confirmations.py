"""Confirm what reaches a customer or cannot be undone (issue 19.3)."""

from PySide6.QtCore import Qt

from tests.e2e.conftest import idle


def test_closing_with_replies_still_sending_says_so_and_can_be_refused(shop, make_window, qtbot):
    shop.add_conversations(2)
    asked: list[int] = []
    answers = [False, True]

    def confirm(unsent: int) -> bool:
        asked.append(unsent)
        return answers.pop(0) if answers else True

    running = make_window(confirm_close=confirm)
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    editor = window.thread_pane.composer.editor
    qtbot.keyClicks(editor, "On its way")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, running)  # stored as PENDING: nothing syncs in this test
    window.close()  # the person closes it
    assert asked == [1] and window.isVisible()  # "not now": the window stays
    window.close()
    assert asked == [1, 1] and not window.isVisible()


def test_closing_with_nothing_sending_asks_nothing(shop, make_window, qtbot):
    shop.add_conversations(1)
    asked: list[int] = []

    def confirm(unsent: int) -> bool:
        asked.append(unsent)
        return True

    running = make_window(confirm_close=confirm)
    running.window.close()
    assert asked == [] and not running.window.isVisible()
