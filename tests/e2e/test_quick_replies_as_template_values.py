"""Quick replies as a WhatsApp template's values (#17.1, offscreen, real
database): in the template picker a value takes "/" and a quick reply's
shortcut, filled for the customer; only answers Meta would take as a value
(no new line, tab or run of spaces; short) are offered."""

from concurrent.futures import Future

from PySide6.QtCore import Qt, QTimer

from snorq_desktop.domain.quick_replies import QuickReply
from snorq_desktop.domain.template_values import fits_template_value, template_values
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.store import quick_replies as store
from snorq_desktop.store.unit_of_work import unit_of_work
from tests.e2e.conftest import idle
from tests.shop import invited_login


def test_only_answers_meta_takes_as_a_value_are_offered_filled():
    replies = [
        QuickReply("1", "thanks", "Thank you {first_name}!"),
        QuickReply("2", "hours", "Open:\nMon-Fri 9-18"),  # a new line: refused by Meta
        QuickReply("3", "tab", "Size\tM"),
        QuickReply("4", "gap", "wide     gap"),
        QuickReply("5", "long", "x" * 201),
        QuickReply("6", "four", "four    spaces"),  # four in a row are allowed
    ]
    assert template_values(replies, "Ana Lima") == [
        ("/thanks", "Thank you Ana!"),
        ("/four", "four    spaces"),
    ]
    assert not fits_template_value("   ")


def test_a_template_value_takes_a_quick_reply_by_its_shortcut(shop, make_window, qtbot):
    shop.add_conversations(1, prefix="Ana")
    shop.sql("UPDATE conversations SET contact_name = 'Ana Lima'")
    shop.sql("UPDATE messages SET platform_timestamp = now() - interval '26 hours'")
    with unit_of_work(shop.sessions) as session:
        store.add_quick_reply(session, shop.organization_id, "ship", "today, {name}", shop.owner_id)
        store.add_quick_reply(
            session, shop.organization_id, "hours", "9-18\nMon-Fri", shop.owner_id
        )
    template = MessageTemplate("order_update", "en_US", "UTILITY", "Order {{1}} ships {{2}}.")

    def source(_connection: str) -> Future[list[MessageTemplate]]:
        future: Future[list[MessageTemplate]] = Future()
        future.set_result([template])
        return future

    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(templates=source, login=login)
    window, pane = running.window, running.window.thread_pane
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    qtbot.waitUntil(lambda: pane.composer.template_button.isVisible())
    seen: dict[str, object] = {}

    def fill_in() -> None:
        picker = pane.picker
        assert picker is not None
        qtbot.waitUntil(lambda: picker.list.count() == 1)
        seen["offered"] = dict(picker.suggestions)
        picker.values[0].setText("#1042")
        second = picker.values[1]
        second.setFocus()
        qtbot.keyClicks(second, "/sh")
        completer = second.completer()
        seen["completions"] = completer.completionCount()
        qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
        qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: second.text() == "today, Ana Lima")
        seen["preview"] = picker.preview.text()
        picker.accept()

    QTimer.singleShot(0, fill_in)
    pane.composer.template_button.click()
    idle(qtbot, running)
    assert seen["offered"] == {"/ship": "today, Ana Lima"}, "the answer with a new line is left out"
    assert seen["completions"] == 1
    assert seen["preview"] == "Order #1042 ships today, Ana Lima."
    assert shop.sql(
        "SELECT content FROM messages WHERE direction = 'OUTBOUND' AND template IS NOT NULL"
    ) == [("Order #1042 ships today, Ana Lima.",)]
