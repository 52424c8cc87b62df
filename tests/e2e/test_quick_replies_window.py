"""Quick replies in the window (#17.1, offscreen, real database): "/" in the reply
box offers the team's shortcuts with the filled text, Tab or Enter inserts it,
Esc lets it be, Ctrl+Enter still sends; the Quick replies… dialog adds, edits
and deletes, saying why when it cannot; a teammate's app follows along."""

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from snorq_desktop.store import quick_replies as store
from snorq_desktop.store.unit_of_work import unit_of_work
from tests.e2e.conftest import idle
from tests.shop import invited_login


def _saved(shop, shortcut: str, text: str) -> str:
    with unit_of_work(shop.sessions) as session:
        return store.add_quick_reply(session, shop.organization_id, shortcut, text, shop.owner_id)


def _in_store(shop) -> list[tuple[str, str]]:
    with shop.sessions() as session:
        return [
            (q.shortcut, q.text) for q in store.list_quick_replies(session, shop.organization_id)
        ]


def _opened(shop, make_window, qtbot, contact: str | None = None, **kwargs):
    shop.add_conversations(2, prefix="Ana Lima")
    if contact is not None:
        shop.sql("UPDATE conversations SET contact_name = :contact", contact=contact)
    running = make_window(**kwargs)
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    assert window.thread_pane.header is not None
    return running, window.thread_pane.composer, window.quick_replies.completer


def _offered(completer) -> list[str]:
    model = completer.completer.completionModel()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_typing_a_shortcut_offers_it_filled_and_tab_inserts_it(shop, make_window, qtbot):
    _saved(shop, "price", "Hi {first_name}, our rings start at 25 €.")
    _saved(shop, "prize", "Congratulations {name}!")
    _saved(shop, "hours", "Open 9-18.")
    # A MEMBER's own login (#13): the policies let every member read the team's answers.
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running, composer, completer = _opened(shop, make_window, qtbot, login=login)
    running.window.activateWindow()
    composer.editor.setFocus()
    qtbot.waitUntil(composer.editor.hasFocus)
    qtbot.keyClicks(composer.editor, "Thanks! /pr")
    assert completer.popup.isVisible()
    assert _offered(completer) == [
        "/price   Hi Ana, our rings start at 25 €.",
        "/prize   Congratulations Ana Lima 0!",
    ]
    qtbot.keyClicks(composer.editor, "ic")  # typing on narrows the list
    assert _offered(completer) == ["/price   Hi Ana, our rings start at 25 €."]
    qtbot.keyClick(completer.popup, Qt.Key.Key_Tab)
    assert not completer.popup.isVisible()
    assert composer.editor.toPlainText() == "Thanks! Hi Ana, our rings start at 25 €."
    assert composer.editor.hasFocus(), "Tab inserted: it did not move on to the Send button"
    # A slash inside a word ("24/7") is not a shortcut.
    composer.editor.clear()
    qtbot.keyClicks(composer.editor, "open 24/h")
    assert not completer.popup.isVisible()


def test_enter_inserts_esc_dismisses_and_ctrl_enter_still_sends(shop, make_window, qtbot):
    _saved(shop, "hours", "Hi {first_name}, we are open 9-18.")
    running, composer, completer = _opened(shop, make_window, qtbot)
    qtbot.keyClicks(composer.editor, "/ho")
    qtbot.keyClick(completer.popup, Qt.Key.Key_Return)
    assert composer.editor.toPlainText() == "Hi Ana, we are open 9-18."
    assert not completer.popup.isVisible()

    composer.editor.clear()
    qtbot.keyClicks(composer.editor, "/h")
    qtbot.keyClick(completer.popup, Qt.Key.Key_Escape)
    assert not completer.popup.isVisible()
    assert composer.editor.toPlainText() == "/h"
    # The same keys reaching the box itself (no popup grabbing them) do the same.
    qtbot.keyClicks(composer.editor, "o")
    assert completer.popup.isVisible()
    qtbot.keyClick(composer.editor, Qt.Key.Key_Escape)
    assert not completer.popup.isVisible() and composer.editor.toPlainText() == "/ho"

    qtbot.keyClicks(composer.editor, "u")
    assert completer.popup.isVisible()
    sent: list[str] = []
    composer.send_requested.connect(sent.append)
    qtbot.keyClick(completer.popup, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == ["/hou"], "Ctrl+Enter sends what is written, popup or not"
    assert not completer.popup.isVisible() and composer.editor.toPlainText() == ""
    idle(qtbot, running)


def test_no_name_leaves_no_brace_for_the_customer(shop, make_window, qtbot):
    _saved(shop, "hi", "Hello {first_name}, thanks for writing!")
    _, composer, completer = _opened(shop, make_window, qtbot, contact="+34 600 000 000")
    qtbot.keyClicks(composer.editor, "/hi")
    qtbot.keyClick(completer.popup, Qt.Key.Key_Tab)
    assert composer.editor.toPlainText() == "Hello, thanks for writing!"


def test_the_dialog_adds_edits_and_deletes_and_says_why_it_cannot(
    shop, make_window, qtbot, monkeypatch
):
    running = make_window()
    window = running.window
    actions = [a.text() for a in window.menus.team.actions()]
    assert actions[0] == "Quick replies…"
    dialog = window.quick_replies.open_dialog()
    assert dialog is not None
    idle(qtbot, running)

    def refused_with(shortcut: str, text: str) -> str:
        dialog.shortcut.setText(shortcut)
        dialog.text.setPlainText(text)
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        idle(qtbot, running)
        assert dialog.error.isVisible()
        return dialog.error.text()

    assert refused_with("", "Hi") == "A quick reply needs a shortcut, e.g. /price."
    assert refused_with("/price", "  ") == "A quick reply needs the text it puts in the reply box."
    assert refused_with("/best price", "Hi").startswith("“/best price” cannot be a shortcut")
    assert _in_store(shop) == []

    dialog.shortcut.setText("/price")
    dialog.text.setPlainText("Hi {first_name}, it is 25 €.")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert not dialog.error.isVisible()
    assert _in_store(shop) == [("price", "Hi {first_name}, it is 25 €.")]
    assert dialog.list.count() == 1 and dialog.shortcut.text() == ""
    assert (
        refused_with("/PRICE", "x")
        == "There is already a quick reply /PRICE: pick it to change it."
    )

    # Added by a teammate a moment ago, before this list was read again: the database says so.
    _saved(shop, "hours", "9-18")
    assert (
        refused_with("/hours", "x")
        == "There is already a quick reply /hours: pick it to change it."
    )
    idle(qtbot, running)
    assert dialog.list.count() == 2

    dialog.list.setCurrentRow(1)  # /price (by shortcut)
    assert dialog.shortcut.text() == "/price"
    assert dialog.save_button.isVisible() and not dialog.add_button.isVisible()
    dialog.shortcut.setText("/hours")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "There is already a quick reply /hours: pick it to change it."
    dialog.shortcut.setText("/prices")
    dialog.text.setPlainText("From 20 €.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert _in_store(shop) == [("hours", "9-18"), ("prices", "From 20 €.")]

    asked: list[str] = []

    def yes(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    dialog.list.setCurrentRow(0)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert asked == ["Delete the quick reply /hours for the whole team?"]
    assert _in_store(shop) == [("prices", "From 20 €.")]
    assert [r.shortcut for r in window.quick_replies.catalog.replies] == ["prices"]


def test_a_quick_reply_added_in_one_app_is_offered_in_the_teammates(shop, make_window, qtbot):
    shop.add_conversations(1, prefix="Ana Lima")
    first, second = make_window("maya"), make_window("leo")
    qtbot.wait(300)  # both listeners connected
    dialog = first.window.quick_replies.open_dialog()
    assert dialog is not None
    dialog.shortcut.setText("/thanks")
    dialog.text.setPlainText("Thank you {first_name}!")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    started = time.monotonic()
    catalog = second.window.quick_replies.catalog
    qtbot.waitUntil(lambda: [r.shortcut for r in catalog.replies] == ["thanks"], timeout=1000)
    took = time.monotonic() - started
    print(f"\nthe teammate's window has the quick reply after {took:.3f} s (limit 1 s)")
    window = second.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, second)
    qtbot.keyClicks(window.thread_pane.composer.editor, "/th")
    qtbot.keyClick(window.quick_replies.completer.popup, Qt.Key.Key_Tab)
    assert window.thread_pane.composer.editor.toPlainText() == "Thank you Ana!"


def test_the_demo_has_three_quick_replies_ready_to_type(demo_shop, make_window, qtbot):
    running = make_window()
    window = running.window
    idle(qtbot, running)
    catalog = window.quick_replies.catalog
    assert [r.shortcut for r in catalog.replies] == ["price", "shipping", "thanks"]
    composer = window.thread_pane.composer
    for row in range(window.inbox.rowCount()):  # one whose reply box is open
        window.inbox_view.setCurrentIndex(window.inbox.index(row))
        idle(qtbot, running)
        if composer.blocked_reason is None:
            break
    contact = window.thread_pane.header.conversation.contact_name
    qtbot.keyClicks(composer.editor, "/")
    assert len(_offered(window.quick_replies.completer)) == 3
    qtbot.keyClicks(composer.editor, "th")
    qtbot.keyClick(window.quick_replies.completer.popup, Qt.Key.Key_Tab)
    first = contact.split()[0]
    assert composer.editor.toPlainText() == (
        f"Thank you so much {first}! Send us a photo when it arrives 💛"
    )
