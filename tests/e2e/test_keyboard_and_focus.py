"""The window under the keyboard: Ctrl+K then Enter opens what was typed however
fast (issue 12.3); focus goes where the next keys belong (issue 19.1)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from snorq_desktop.ui.inbox_model import ConversationIdRole
from snorq_desktop.ui.theme import palette_for
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


def _unread(shop) -> list[tuple[object, ...]]:
    return shop.sql("SELECT contact_name FROM conversations WHERE unread_count > 0 ORDER BY 1")


def test_the_switcher_puts_the_focus_in_the_reply_box(shop, make_window, qtbot):
    priya = _priya_is_the_oldest(shop)
    running = make_window()
    window = running.window
    window.activateWindow()
    window.inbox_view.setFocus()
    window.switcher.conversation_chosen.emit(priya)
    idle(qtbot, running)
    editor = window.thread_pane.composer.editor
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(QApplication.focusWidget(), "Thanks Priya")
    assert editor.toPlainText() == "Thanks Priya"


def test_enter_on_a_row_puts_the_focus_in_the_reply_box(shop, make_window, qtbot):
    shop.add_conversations(3)
    running = make_window()
    window = running.window
    window.activateWindow()
    window.inbox_view.setFocus()
    qtbot.waitUntil(window.inbox_view.hasFocus)
    window.inbox_view.setCurrentIndex(window.inbox.index(1))
    qtbot.keyClick(window.inbox_view, Qt.Key.Key_Return)
    idle(qtbot, running)
    assert window.thread_pane.composer.editor.hasFocus()


def test_typing_in_the_list_opens_and_marks_nothing(shop, make_window, qtbot):
    shop.add_conversations(4, unread=1)
    shop.sql("UPDATE conversations SET contact_name = 'Tomás' WHERE external_id = 'ext-2'")
    running = make_window()
    window = running.window
    window.inbox_view.setFocus()
    idle(qtbot, running)
    opened, unread = window.thread_pane.conversation_id, _unread(shop)
    qtbot.keyClicks(window.inbox_view, "Tom")  # a reply typed in the wrong place
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == opened  # Tomás was not jumped to
    assert _unread(shop) == unread and ("Tomás",) in unread


def test_tab_goes_search_list_thread_reply_box_send(shop, make_window, qtbot):
    shop.add_conversations(2)
    running = make_window()
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    composer = window.thread_pane.composer
    composer.editor.setPlainText("ready")  # Send is enabled
    window.activateWindow()
    window.search.setFocus()
    qtbot.waitUntil(window.search.hasFocus)
    seen = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen == [
        window.inbox_view,
        window.thread_pane.view,
        composer.editor,
        composer.send_button,
    ]


@pytest.fixture(params=[False, True], ids=["light", "dark"])
def theme(qapp, request):
    """The app in the light or the dark palette (as the system theme sets it)."""
    before = QApplication.palette()
    QApplication.setPalette(palette_for(request.param))
    yield request.param
    QApplication.setPalette(before)


def test_a_focused_control_shows_a_ring_in_light_and_dark(shop, make_window, qtbot, theme):
    dark = theme
    shop.add_conversations(1)
    running = make_window()
    window = running.window
    search = window.search
    window.activateWindow()
    window.inbox_view.setFocus()
    qtbot.waitUntil(window.inbox_view.hasFocus)
    unfocused = search.grab().toImage()
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    focused = search.grab().toImage()
    ring = palette_for(dark).color(QPalette.ColorRole.Link)
    edge = focused.pixelColor(0, focused.height() // 2)
    assert edge == ring
    assert unfocused.pixelColor(0, unfocused.height() // 2) != ring
