"""The inbox does not move under the pointer (issue 12.2): rows keep their places
while the pointer is over the list or it is scrolled away from the top, a
"N new ↑" pill says what waits, and the selection stays where it was put."""

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.ui.inbox_model import ConversationIdRole
from tests.e2e.conftest import idle


def _ids(window) -> list[str]:
    return [window.inbox.index(r).data(ConversationIdRole) for r in range(window.inbox.rowCount())]


def _new_message(shop, running, conversation_id: str) -> None:
    shop.sql(
        "UPDATE conversations SET last_message_at = now(), last_message_preview = 'Still there?'"
        " WHERE id = :c",
        c=conversation_id,
    )
    running.window.apply_changes(Changes(conversations=frozenset({conversation_id})))


def _pointer(widget, kind: QEvent.Type) -> None:
    QApplication.sendEvent(widget, QEvent(kind))


def test_rows_hold_still_under_the_pointer_and_the_pill_counts_what_waits(shop, make_window, qtbot):
    shop.add_conversations(5)
    running = make_window()
    window = running.window
    before = _ids(window)
    window.inbox_view.setCurrentIndex(window.inbox.index(2))
    idle(qtbot, running)
    chosen = before[2]
    viewport = window.inbox_view.viewport()
    _pointer(viewport, QEvent.Type.Enter)
    _new_message(shop, running, before[4])
    idle(qtbot, running)
    assert _ids(window) == before  # nothing moved between looking and clicking
    pill = window.inbox_hold.pill
    assert pill.isVisible() and pill.text() == "1 new ↑"
    assert window.inbox.summary_at(4).last_message_preview == "Still there?"  # news, in place
    _pointer(viewport, QEvent.Type.Leave)
    assert _ids(window)[0] == before[4] and not pill.isVisible()
    assert window.inbox_view.currentIndex().data(ConversationIdRole) == chosen
    assert window.thread_pane.conversation_id == chosen


def test_a_scrolled_list_holds_until_the_pill_is_clicked(shop, make_window, qtbot):
    shop.add_conversations(60)
    running = make_window()
    window = running.window
    window.resize(1000, 500)
    idle(qtbot, running)
    bar = window.inbox_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    before = _ids(window)
    _new_message(shop, running, before[-1])
    idle(qtbot, running)
    assert _ids(window) == before
    pill = window.inbox_hold.pill
    assert pill.text() == "1 new ↑"
    pill.click()
    assert bar.value() == 0 and _ids(window)[0] == before[-1] and not pill.isVisible()
