"""Files and WhatsApp templates in the window: attach, see the file before it
is sent, see the card with its size, open it; outside the 24-hour window the
composer offers templates."""

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import QApplication, QFileDialog

from snorq_desktop.boot.window import RunningWindow
from snorq_desktop.demo.files import picture
from snorq_desktop.domain.enums import MessageStatus, Platform
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.ui.inbox_model import ConversationIdRole
from snorq_desktop.ui.message_delegate import _card_lines
from snorq_desktop.ui.thread_model import MessageRole
from tests.e2e.conftest import idle

PNG = picture(64, 48)


def _open_first(qtbot, running) -> str:
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    return str(window.inbox.index(0).data(ConversationIdRole))


def _newest(window):
    model = window.thread_pane.model
    return model.index(model.rowCount() - 1).data(MessageRole)


@dataclass
class Attaching:
    """A window with its first conversation open, the file dialog answering
    ``file`` and the system's viewer recording what it was asked to open."""

    running: RunningWindow
    conversation: str
    file: Path
    opened: list[QUrl] = field(default_factory=list)


def _attaching(shop, make_window, qtbot, monkeypatch, file: Path) -> Attaching:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(file), ""))
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    running = make_window()
    return Attaching(running, _open_first(qtbot, running), file, opened)


def _preview(qtbot, running):
    """Attach… pressed: the preview it shows, once the file was looked at."""
    pane = running.window.thread_pane
    before = pane.file_preview
    pane.composer.attach_button.click()
    idle(qtbot, running)
    preview = pane.file_preview
    assert preview is not None and preview is not before and preview.isVisible()
    return preview


def _photo(tmp_path) -> Path:
    photo = tmp_path / "blue-shoe.png"
    photo.write_bytes(PNG)
    return photo


def test_attaching_a_file_shows_it_first_then_sends_it_with_the_caption_and_the_card_opens_it(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1)  # WhatsApp, the customer wrote just now
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, _photo(tmp_path))
    running, window = attaching.running, attaching.running.window
    composer = window.thread_pane.composer
    composer.editor.setPlainText("In blue")
    preview = _preview(qtbot, running)
    # Before anything reaches the customer: the name, the size, a thumbnail, the caption.
    assert preview.name.text() == "blue-shoe.png"
    assert preview.details.text() == f"Photo · {len(PNG)} B"
    thumbnail = preview.thumbnail.pixmap()
    assert not thumbnail.isNull() and (thumbnail.width(), thumbnail.height()) == (64, 48)
    assert preview.caption.toPlainText() == "In blue"
    assert preview.send_button.isEnabled() and not preview.reason.isVisible()
    assert shop.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]
    preview.caption.setPlainText("In blue, size 38")
    preview.send_button.click()
    idle(qtbot, running)
    assert not preview.isVisible()
    qtbot.waitUntil(lambda: _newest(window).attachment is not None)
    newest = _newest(window)
    assert (newest.content, newest.status) == ("In blue, size 38", MessageStatus.PENDING)
    assert newest.attachment.size == len(PNG)
    title, details = _card_lines(newest)
    assert "blue-shoe.png" in title and details.endswith("click to open")
    # A photo is drawn in the bubble once fetched and scaled off the UI thread.
    pictures = window.thread_pane.pictures
    pictures.get(newest.id)
    qtbot.waitUntil(lambda: pictures.get(newest.id) is not None)
    drawn = pictures.get(newest.id)
    assert drawn is not None and drawn.width() == 260
    assert composer.editor.toPlainText() == ""  # the caption went with the file
    stored = shop.sql(
        "SELECT a.content FROM attachments a JOIN messages m ON m.id = a.message_id"
        " WHERE m.conversation_id = :c",
        c=attaching.conversation,
    )
    assert stored == [(PNG,)]
    # Clicking the card writes the file out and hands it to the system's viewer.
    window.thread_pane.open_file(newest.id)
    idle(qtbot, running)
    assert len(attaching.opened) == 1
    assert Path(attaching.opened[0].toLocalFile()).read_bytes() == PNG
    assert Path(attaching.opened[0].toLocalFile()).name == "blue-shoe.png"


def test_cancelling_the_preview_sends_nothing_and_keeps_the_typed_text(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1)
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, _photo(tmp_path))
    running = attaching.running
    composer = running.window.thread_pane.composer
    composer.editor.setPlainText("Here is the photo")
    preview = _preview(qtbot, running)
    preview.caption.setPlainText("changed my mind")
    preview.cancel_button.click()
    idle(qtbot, running)
    assert not preview.isVisible()
    assert composer.editor.toPlainText() == "Here is the photo"
    assert shop.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]
    assert shop.sql("SELECT count(*) FROM attachments") == [(0,)]


def test_a_document_shows_its_size_in_human_units_and_where_its_caption_goes(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1, Platform.FACEBOOK)  # Messenger sends text apart from a file
    document = tmp_path / "price-list.pdf"
    document.write_bytes(b"%PDF-1.4 " + b"x" * (3 * 1024 * 1024))
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, document)
    preview = _preview(qtbot, attaching.running)
    assert preview.name.text() == "price-list.pdf"
    assert preview.details.text() == "File · 3.0 MB"
    assert preview.thumbnail.pixmap().isNull()  # no thumbnail for a document
    assert preview.caption_note.isVisible() and "of its own" in preview.caption_note.text()
    assert preview.send_button.isEnabled()


def test_a_file_the_platform_would_refuse_says_why_in_the_preview_and_sends_nothing(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, empty)
    preview = _preview(qtbot, attaching.running)
    assert preview.reason.isVisible() and preview.reason.text() == "“empty.txt” is empty."
    assert not preview.send_button.isEnabled()
    preview._send()  # Enter on the disabled Send: still nothing
    idle(qtbot, attaching.running)
    assert shop.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]


def test_a_file_too_large_for_the_platform_says_the_limit_and_is_never_read_whole(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1)  # WhatsApp takes photos up to 5 MB
    big = tmp_path / "huge.png"
    with big.open("wb") as out:
        out.truncate(6 * 1024 * 1024)  # sparse: its size, without writing it
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, big)
    preview = _preview(qtbot, attaching.running)
    assert preview.reason.text() == "“huge.png” is 6.0 MB; WhatsApp accepts images up to 5.0 MB."
    assert preview.details.text() == "Photo · 6.0 MB"
    assert not preview.send_button.isEnabled() and not preview.caption.isEnabled()


def test_a_type_the_platform_refuses_and_an_unreadable_file_say_why(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1, Platform.TIKTOK)  # TikTok takes only images
    document = tmp_path / "terms.pdf"
    document.write_bytes(b"%PDF-1.4 terms")
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, document)
    preview = _preview(qtbot, attaching.running)
    assert preview.reason.text() == "TikTok accepts only images here; “terms.pdf” is not one."
    assert not preview.send_button.isEnabled()
    gone = tmp_path / "gone.png"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(gone), ""))
    preview = _preview(qtbot, attaching.running)
    assert preview.reason.text().startswith("“gone.png” could not be read (")
    assert preview.details.text() == "Photo · size unknown"
    assert not preview.send_button.isEnabled()
    assert shop.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]


def test_outside_the_window_the_composer_offers_templates(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql("UPDATE messages SET platform_timestamp = now() - interval '26 hours'")
    template = MessageTemplate("order_update", "en_US", "UTILITY", "Hi {{1}}, order {{2}} shipped.")
    asked: list[str] = []

    def source(connection_id: str) -> Future[list[MessageTemplate]]:
        asked.append(connection_id)
        future: Future[list[MessageTemplate]] = Future()
        future.set_result([template])
        return future

    running = make_window(templates=source)
    window = running.window
    pane = window.thread_pane
    conversation = _open_first(qtbot, running)
    composer = pane.composer
    qtbot.waitUntil(lambda: composer.template_button.isVisible())
    assert "24 hours" in composer.reason.text()
    assert composer.editor.isReadOnly() and not composer.attach_button.isEnabled()

    def fill_in() -> None:
        picker = pane.picker
        assert picker is not None
        qtbot.waitUntil(lambda: picker.list.count() == 1)
        assert not picker.send_button.isEnabled()  # values missing
        picker.values[0].setText("Ana")
        picker.values[1].setText("#1042")
        assert picker.preview.text() == "Hi Ana, order #1042 shipped."
        assert picker.send_button.isEnabled()
        picker.accept()

    QTimer.singleShot(0, fill_in)
    composer.template_button.click()
    idle(qtbot, running)
    assert asked == [shop.connections[Platform.WHATSAPP]]
    stored = shop.sql(
        "SELECT content, template, status::text FROM messages"
        " WHERE conversation_id = :c AND direction = 'OUTBOUND'",
        c=conversation,
    )
    assert stored[0][0] == "Hi Ana, order #1042 shipped."
    assert '"order_update"' in str(stored[0][1]) and stored[0][2] == "PENDING"
    qtbot.waitUntil(lambda: _newest(window).template_name == "order_update")


def test_the_template_dialog_says_why_when_meta_cannot_be_asked(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql("UPDATE messages SET platform_timestamp = now() - interval '3 days'")

    def failing(_connection_id: str) -> Future[list[MessageTemplate]]:
        future: Future[list[MessageTemplate]] = Future()
        future.set_exception(RuntimeError("Meta could not be reached (ConnectError)."))
        return future

    running = make_window(templates=failing)
    pane = running.window.thread_pane
    _open_first(qtbot, running)
    qtbot.waitUntil(lambda: pane.composer.template_button.isVisible())

    def check() -> None:
        picker = pane.picker
        assert picker is not None
        qtbot.waitUntil(lambda: "could not be loaded" in picker.status.text())
        assert "Meta could not be reached" in picker.status.text()
        assert not picker.send_button.isEnabled()
        picker.reject()

    QTimer.singleShot(0, check)
    pane.composer.template_button.click()
    idle(qtbot, running)
    assert running.window.thread_pane.picker is not None


def test_copies_written_for_the_viewer_are_forgotten_after_a_day(tmp_path):
    import os
    import time

    from snorq_desktop.boot.window import forget_opened_files

    old, fresh = tmp_path / "m-old", tmp_path / "m-new"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "photo.png").write_bytes(PNG)
    two_days_ago = time.time() - 2 * 86_400
    os.utime(old, (two_days_ago, two_days_ago))
    forget_opened_files(tmp_path)
    assert not old.exists()
    assert (fresh / "photo.png").read_bytes() == PNG


def test_the_window_builds_its_menu_bar_and_features_fill_the_menus_it_hands_them(
    shop, make_window
):
    window = make_window().window
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "View", "Labels", "Team", "Conversation", "Help"]
    menus = window.menus
    entries = {
        menu.title().replace("&", ""): [a.text() for a in menu.actions() if a.text()]
        for menu in (
            menus.file,
            menus.view,
            menus.labels,
            menus.team,
            menus.conversation,
            menus.help,
        )
    }
    assert entries == {
        "File": ["&Back up…", "&Restore…", "&Quit"],
        "View": ["&Dashboard…"],
        "Conversation": ["Assign…", "Snooze…", "Close conversation"],
        "Help": ["Keyboard shortcuts…"],
        "Labels": ["Manage labels…"],
        "Team": [
            "Quick replies…",
            "Business hours…",
            "Members…",
            "API keys…",
            "Database…",
            "Connections…",
            "Plan…",
        ],
    }


def test_a_file_row_with_a_hostile_id_and_name_is_written_inside_the_files_folder(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    """Anyone with the team's login can write a message row: its id and file name
    must never choose where the viewer's copy is written."""
    shop.add_conversations(1)
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, _photo(tmp_path))
    running, window, opened = attaching.running, attaching.running.window, attaching.opened
    _preview(qtbot, running).send_button.click()
    idle(qtbot, running)
    qtbot.waitUntil(lambda: _newest(window).attachment is not None)
    original = _newest(window).id
    hostile = "../../../../../../../tmp/snorq-escape"
    # A copy of the row under a path-like id, with a path-like file name.
    shop.sql(
        "INSERT INTO messages SELECT (jsonb_populate_record(NULL::messages, to_jsonb(m)"
        " || jsonb_build_object('id', CAST(:hostile AS text), 'external_id', NULL))).*"
        " FROM messages m WHERE m.id = :original",
        hostile=hostile,
        original=original,
    )
    shop.sql(
        "INSERT INTO attachments SELECT (jsonb_populate_record(NULL::attachments, to_jsonb(a)"
        " || jsonb_build_object('message_id', CAST(:hostile AS text),"
        " 'file_name', '../../../.bashrc'))).* FROM attachments a WHERE a.message_id = :original",
        hostile=hostile,
        original=original,
    )
    folder = window.thread_pane.files_folder.resolve()

    window.thread_pane.open_file(hostile)
    idle(qtbot, running)

    written = Path(opened[0].toLocalFile()).resolve()
    assert written.is_relative_to(folder)
    assert written.read_bytes() == PNG
    assert not Path("/tmp/snorq-escape").exists()


def _drop(editor, mime) -> None:
    """A drop on the reply box, as the window system delivers it."""
    at = editor.viewport().rect().center()
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(at, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0))
    QApplication.sendEvent(editor.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(at), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0))
    QApplication.sendEvent(editor.viewport(), drop)


def test_a_file_dropped_on_the_reply_box_is_shown_first_too(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1)
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, _photo(tmp_path))
    running = attaching.running
    pane = running.window.thread_pane
    pane.composer.editor.setPlainText("In blue")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(attaching.file))])
    _drop(pane.composer.editor, mime)
    idle(qtbot, running)
    preview = pane.file_preview
    assert preview is not None and preview.isVisible()
    assert preview.name.text() == "blue-shoe.png" and preview.caption.toPlainText() == "In blue"
    assert pane.composer.editor.toPlainText() == "In blue"  # no file address typed in
    assert shop.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]
    preview.send_button.click()
    idle(qtbot, running)
    qtbot.waitUntil(lambda: _newest(running.window).attachment is not None)
    assert _newest(running.window).content == "In blue"


def test_an_image_pasted_into_the_reply_box_is_shown_first_as_a_png(
    shop, make_window, qtbot, tmp_path, monkeypatch
):
    shop.add_conversations(1)
    attaching = _attaching(shop, make_window, qtbot, monkeypatch, _photo(tmp_path))
    running = attaching.running
    pane = running.window.thread_pane
    image = QImage(800, 600, QImage.Format.Format_RGB32)  # a screenshot, say
    image.fill(QColor("#2255aa"))
    QGuiApplication.clipboard().setImage(image)
    pane.composer.editor.setFocus()
    pane.composer.editor.paste()
    idle(qtbot, running)
    preview = pane.file_preview
    assert preview is not None and preview.isVisible()
    assert preview.name.text().startswith("pasted-image-") and preview.name.text().endswith(".png")
    assert preview.details.text().startswith("Photo · ")
    thumbnail = preview.thumbnail.pixmap()  # scaled down to fit the preview
    assert (thumbnail.width(), thumbnail.height()) == (240, 180)
    assert preview.send_button.isEnabled()
    preview.cancel_button.click()
    idle(qtbot, running)
    assert shop.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]
    # In a note, a drop or a paste is text as ever: nothing is offered to the customer.
    pane.composer.set_note_mode(True)
    before = pane.file_preview
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(attaching.file))])
    pane.composer.editor.insertFromMimeData(mime)
    idle(qtbot, running)
    assert pane.file_preview is before
