"""The window under the keyboard: Ctrl+K then Enter opens what was typed however
fast (issue 12.3); focus goes where the next keys belong (issue 19.1)."""

from PySide6.QtCore import Qt

from snorq_desktop.ui.inbox_model import ConversationIdRole
from tests.e2e.conftest import idle


def _priya_is_the_oldest(shop) -> str:
    shop.add_conversations(4)
    shop.sql("UPDATE conversations SET contact_name = 'Priya Raman' WHERE external_id = 'ext-3'")
    return str(shop.sql("SELECT id FROM conversations WHERE external_id = 'ext-3'")[0][0])


def test_ctrl_k_typing_then_enter_at_once_opens_the_best_match(shop, make_window, qtbot):
    priya = _priya_is_the_oldest(shop)
    running = make_window()
    window = running.window
    switcher = window.switcher
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, running)  # the unfiltered list: someone else is on top
    assert switcher.results.index(0).data(ConversationIdRole) != priya
    with qtbot.waitSignal(switcher.conversation_chosen, timeout=10_000) as chosen:
        qtbot.keyClicks(switcher.search, "Priya")
        qtbot.keyClick(switcher.search, Qt.Key.Key_Return)  # before any result came back
    assert chosen.args == [priya]
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == priya
