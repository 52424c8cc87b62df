"""Labels and internal notes in the window (offscreen, real database): the Labels…
dialog, a label put on several selected conversations at once, the sidebar's
label views with counts, the thread's chips, notes inline and the composer's
note tab, and a teammate's app following along."""

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QMessageBox

from snorq_desktop.domain.notes import ThreadNote
from snorq_desktop.store import labels as label_store
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.ui.inbox_model import ConversationIdRole, SummaryRole
from snorq_desktop.ui.message_delegate import NOTE_COLOURS
from snorq_desktop.ui.sidebar import LabelColourRole, LabelIdRole
from snorq_desktop.ui.thread_model import MessageRole, NoteRole
from tests.e2e.conftest import idle
from tests.shop import invited_login


def _names(running) -> list[tuple[str, str, int]]:
    return [(x.name, x.color, x.conversations) for x in running.window.label_catalog.labels]


def _label(shop, name: str, conversation_numbers=()) -> str:
    with unit_of_work(shop.sessions) as session:
        label_id = label_store.create_label(session, shop.organization_id, name, "#22c55e")
        ids = ["c" + str(n).zfill(24) for n in conversation_numbers]
        label_store.apply_label(session, shop.organization_id, label_id, ids)
    return label_id


def _sidebar_rows(window) -> dict[str, str]:
    """Label id -> the row's text, for the label rows of the sidebar."""
    model = window.sidebar.views
    return {
        model.item(row).data(LabelIdRole): model.item(row).text()
        for row in range(model.rowCount())
        if model.item(row).data(LabelIdRole)
    }


def test_the_labels_dialog_creates_renames_recolours_and_deletes(
    shop, make_window, qtbot, monkeypatch
):
    running = make_window()
    manager = running.window.labels.open_manager()
    assert manager is not None
    idle(qtbot, running)
    qtbot.keyClicks(manager.name, "VIP")
    manager.colour.setCurrentIndex(manager.colour.findText("Red"))
    qtbot.mouseClick(manager.add_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert _names(running) == [("VIP", "#ef4444", 0)]
    assert manager.list.count() == 1 and manager.name.text() == ""
    assert list(_sidebar_rows(running.window).values()) == ["VIP"]

    qtbot.keyClicks(manager.name, "vip")
    assert not manager.add_button.isEnabled(), "a name taken whatever its case"
    manager.name.clear()
    qtbot.keyClicks(manager.name, "Refund")
    qtbot.mouseClick(manager.add_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)

    manager.list.setCurrentRow(1)  # VIP (names in order)
    assert manager.name.text() == "VIP"
    manager.name.setText("Very important")
    manager.colour.setCurrentIndex(manager.colour.findText("Teal"))
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert _names(running) == [("Refund", "#ef4444", 0), ("Very important", "#14b8a6", 0)]
    colours = {
        window_item.text(): window_item.data(LabelColourRole)
        for window_item in (
            running.window.sidebar.views.item(r)
            for r in range(running.window.sidebar.views.rowCount())
        )
        if window_item.data(LabelIdRole)
    }
    assert colours == {"Refund": "#ef4444", "Very important": "#14b8a6"}

    manager.list.setCurrentRow(0)
    manager.name.setText("VERY IMPORTANT")
    qtbot.mouseClick(manager.save_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert manager.error.isVisible()
    assert manager.error.text() == "There is already a label called “VERY IMPORTANT”."

    asked: list[str] = []

    def yes(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    manager.list.setCurrentRow(0)
    qtbot.mouseClick(manager.delete_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert asked == ["Delete the label “Refund”? No conversation has it."]
    assert [name for name, _, _ in _names(running)] == ["Very important"]
    assert list(_sidebar_rows(running.window).values()) == ["Very important"]


def test_several_selected_conversations_get_a_label_at_once(shop, make_window, qtbot):
    shop.add_conversations(8)
    vip = _label(shop, "VIP")
    running = make_window()
    window = running.window
    selection = window.inbox_view.selectionModel()
    for row in (0, 2, 5):
        selection.select(window.inbox.index(row), QItemSelectionModel.SelectionFlag.Select)
    chosen = window.labels.selected_ids()
    assert len(chosen) == 3
    menu = window.labels.inbox_menu()
    [submenu] = [a.menu() for a in menu.actions() if a.text().startswith("Label")]
    assert submenu.title() == "Label 3 conversations"
    [apply_vip] = [a for a in submenu.actions() if a.text() == "VIP"]
    assert not apply_vip.isChecked()
    apply_vip.trigger()
    idle(qtbot, running)
    labelled = shop.sql("SELECT id FROM conversations WHERE labels = ARRAY['VIP'] ORDER BY id")
    assert sorted(row[0] for row in labelled) == sorted(chosen)
    for row in (0, 2, 5):
        assert window.inbox.index(row).data(SummaryRole).labels == ("VIP",)
    assert window.inbox.index(0).data(Qt.ItemDataRole.AccessibleTextRole).endswith(", labelled VIP")
    assert window.inbox.index(1).data(SummaryRole).labels == ()
    qtbot.waitUntil(lambda: _sidebar_rows(window) == {vip: "VIP  3"})

    # All of them have it now: the same menu entry takes it off them all.
    [again] = [
        a
        for m in window.labels.inbox_menu().actions()
        if m.menu() is not None
        for a in m.menu().actions()
        if a.text() == "VIP"
    ]
    assert again.isChecked()
    again.trigger()
    idle(qtbot, running)
    assert shop.sql("SELECT count(*) FROM conversation_labels") == [(0,)]
    assert window.inbox.index(0).data(SummaryRole).labels == ()


def test_a_label_view_in_the_sidebar_shows_only_its_conversations(shop, make_window, qtbot):
    shop.add_conversations(30)
    wholesale = _label(shop, "Wholesale", range(0, 30, 3))
    running = make_window()
    window = running.window
    qtbot.waitUntil(lambda: _sidebar_rows(window) == {wholesale: "Wholesale  10"})
    window.sidebar.select_label(wholesale)
    idle(qtbot, running)
    assert window.query().label_id == wholesale
    shown = [window.inbox.index(r).data(ConversationIdRole) for r in range(window.inbox.rowCount())]
    assert shown == ["c" + str(n).zfill(24) for n in range(0, 30, 3)]
    # A label taken off in this view takes the row out of it.
    window.label_actions.remove(wholesale, [shown[0]])
    idle(qtbot, running)
    assert window.inbox.rowCount() == 9
    qtbot.waitUntil(lambda: _sidebar_rows(window) == {wholesale: "Wholesale  9"})
    # The label deleted (by anyone): its view falls back to All.
    window.label_actions.catalog.reload()
    running.runner.run(lambda: running.service.labels.delete(wholesale), window.apply_changes)
    idle(qtbot, running)
    qtbot.waitUntil(lambda: _sidebar_rows(window) == {})
    idle(qtbot, running)
    assert window.query().label_id is None
    assert window.inbox.rowCount() == 30


def test_the_thread_adds_a_label_by_typing_and_takes_it_off_by_its_chip(shop, make_window, qtbot):
    shop.add_conversations(3)
    # A MEMBER's own login (#13): members label conversations and make labels.
    running = make_window(login=invited_login(shop.engine, shop.organization_id, shop.owner_id))
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(1))
    idle(qtbot, running)
    row = window.thread_pane.label_row
    assert row is not None and row.chips == []
    menu = row.build_menu()
    box = menu.findChild(QLineEdit, "newLabelBox")
    qtbot.keyClicks(box, "Wholesale")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    idle(qtbot, running)
    assert [chip.text() for chip in row.chips] == ["Wholesale  ×"]
    assert window.inbox.index(1).data(SummaryRole).labels == ("Wholesale",)
    assert shop.sql("SELECT name FROM labels") == [("Wholesale",)]
    # Typing a name that exists (any case) uses that label.
    window.inbox_view.setCurrentIndex(window.inbox.index(2))
    idle(qtbot, running)
    box = row.build_menu().findChild(QLineEdit, "newLabelBox")
    qtbot.keyClicks(box, "WHOLESALE")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    idle(qtbot, running)
    assert shop.sql("SELECT count(*) FROM labels") == [(1,)]
    assert [chip.text() for chip in row.chips] == ["Wholesale  ×"]
    qtbot.mouseClick(row.chips[0], Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert row.chips == []
    assert shop.sql("SELECT count(*) FROM conversation_labels") == [(1,)]


def test_a_note_is_written_from_the_composer_and_shown_inline_as_a_note(shop, make_window, qtbot):
    shop.add_conversations(2)
    # A MEMBER's own login (#13), Eve's: the policies let her write her own notes.
    running = make_window(login=invited_login(shop.engine, shop.organization_id, shop.owner_id))
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    pane = window.thread_pane
    composer = pane.composer
    qtbot.mouseClick(composer.note_tab, Qt.MouseButton.LeftButton)
    assert composer.note_mode
    assert composer.send_button.text() == "Add note"
    assert "#fff4c4" in composer.editor.styleSheet()
    assert "never the customer" in composer.editor.placeholderText()
    qtbot.keyClicks(composer.editor, "She is a VIP: 10 % off")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, running)
    model = pane.model
    last = model.index(model.rowCount() - 1)
    note = last.data(NoteRole)
    assert isinstance(note, ThreadNote)
    assert last.data(MessageRole) is None
    assert (note.content, note.author_name) == ("She is a VIP: 10 % off", "Eve")
    assert last.data(Qt.ItemDataRole.DisplayRole).startswith("Internal note by Eve")
    assert shop.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]
    assert composer.note_mode, "the note tab stays chosen until the person changes it"

    # Painted full width on the note yellow, never as a bubble.
    window.resize(1200, 800)
    idle(qtbot, running)
    pane.view.scrollToBottom()
    picture = pane.view.viewport().grab().toImage()
    rect = pane.view.visualRect(last)
    fill = QColor(NOTE_COLOURS[False][0])
    for x in (rect.left() + 30, rect.center().x(), rect.right() - 30):
        assert picture.pixelColor(x, rect.bottom() - 10) == fill

    # Only the author edits or deletes it; the thread follows.
    pane.edit_note(note.id, "She is a VIP: 15 % off")
    idle(qtbot, running)
    assert model.index(model.rowCount() - 1).data(NoteRole).content == "She is a VIP: 15 % off"
    pane.delete_note(note.id)
    idle(qtbot, running)
    assert all(model.index(r).data(NoteRole) is None for r in range(model.rowCount()))
    assert shop.sql("SELECT count(*) FROM notes") == [(0,)]

    # Back on Reply, the same box sends to the customer again.
    qtbot.mouseClick(composer.reply_tab, Qt.MouseButton.LeftButton)
    assert composer.send_button.text() == "Send" and composer.editor.styleSheet() == ""


def test_a_note_can_be_written_when_the_connection_cannot_send(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql("UPDATE platform_connections SET status = 'EXPIRED'")
    running = make_window()
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    composer = window.thread_pane.composer
    assert composer.blocked_reason is not None and composer.reason.isVisible()
    composer.set_note_mode(True)
    assert not composer.reason.isVisible() and not composer.editor.isReadOnly()
    qtbot.keyClicks(composer.editor, "Asked her to reconnect")
    assert composer.send_button.isEnabled()
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert shop.sql("SELECT content FROM notes") == [("Asked her to reconnect",)]
    composer.set_note_mode(False)
    assert composer.reason.isVisible() and composer.editor.isReadOnly()


def test_a_teammates_app_follows_labels_and_notes(shop, make_window, qtbot):
    shop.add_conversations(4)
    first, second = make_window("maya"), make_window("leo")
    qtbot.wait(300)  # both listeners connected
    target = first.window.inbox.index(2).data(ConversationIdRole)
    second.window.open_conversation(target)
    first.window.open_conversation(target)
    idle(qtbot, first)
    idle(qtbot, second)
    first.window.label_actions.create_and_apply("Urgent", [target])
    idle(qtbot, first)

    def second_row_labels():
        row = second.window.inbox.row_of(target)
        summary = second.window.inbox.summary_at(row)
        return summary.labels if summary else None

    qtbot.waitUntil(lambda: second_row_labels() == ("Urgent",), timeout=2000)
    qtbot.waitUntil(lambda: [n for n, _, _ in _names(second)] == ["Urgent"], timeout=2000)
    [urgent] = first.window.label_catalog.labels
    first.runner.run(
        lambda: first.service.labels.rename(urgent.id, "Today"), first.window.apply_changes
    )
    qtbot.waitUntil(lambda: second_row_labels() == ("Today",), timeout=2000)
    chips = second.window.thread_pane.label_row.chips
    qtbot.waitUntil(lambda: [c.text() for c in chips] == ["Today  ×"], timeout=2000)

    first.window.thread_pane.add_note("Called her back")
    model = second.window.thread_pane.model

    def second_notes():
        return [
            model.index(r).data(NoteRole).content
            for r in range(model.rowCount())
            if model.index(r).data(NoteRole) is not None
        ]

    qtbot.waitUntil(lambda: second_notes() == ["Called her back"], timeout=2000)


def test_without_an_organisation_there_are_no_labels_to_manage(make_window, qtbot):
    running = make_window()
    window = running.window
    [labels_menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Labels"]
    [manage] = labels_menu.actions()
    assert not manage.isEnabled()
    assert window.labels.open_manager() is None
    idle(qtbot, running)
    assert window.labels.manager is None


def test_right_click_on_an_unselected_row_labels_that_row(shop, make_window, qtbot):
    shop.add_conversations(5)
    _label(shop, "VIP")
    running = make_window()
    window = running.window
    view = window.inbox_view
    view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    point = view.visualRect(window.inbox.index(3)).center()
    view.customContextMenuRequested.emit(point)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    [submenu] = [
        m for a in menu.actions() if isinstance(m := a.menu(), QMenu) and a.text() == "Label"
    ]
    assert submenu.title() == "Label"
    [vip] = [a for a in submenu.actions() if a.text() == "VIP"]
    menu.close()
    vip.trigger()
    idle(qtbot, running)
    target = window.inbox.index(3).data(ConversationIdRole)
    assert shop.sql("SELECT conversation_id FROM conversation_labels") == [(target,)]
