"""What a bubble says about its message in its conversation: the quote it
answers, forwarded, edited, deleted, sent elsewhere, its reactions and why the
platform refused it -- painted and spoken alike."""

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QImage, QPainter, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QListView, QStyleOptionViewItem

from snorq_desktop.domain.attachments import AttachmentInfo
from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus
from snorq_desktop.domain.inbox import ThreadMessage
from snorq_desktop.ui.message_delegate import (
    MessageDelegate,
    _card_lines,
    context_text,
    failure_text,
    layout_message,
    meta_text,
)
from snorq_desktop.ui.thread_model import MessageRole, spoken

PLAIN = ThreadMessage(
    id="m1",
    direction=MessageDirection.INBOUND,
    content="Is the linen shirt back?",
    content_type=ContentType.TEXT,
    media_url=None,
    media_type=None,
    status=MessageStatus.DELIVERED,
    sent_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
)


def test_a_reply_shows_the_quoted_message_above_its_text(qapp: QCoreApplication):
    font = QFont()
    reply = replace(PLAIN, reply_to_id="wamid.1", quoted="Do you have it in blue?")
    assert context_text(reply) == "↩ “Do you have it in blue?”"
    assert context_text(replace(PLAIN, reply_to_id="wamid.gone")) == "↩ Reply to an earlier message"
    assert context_text(replace(PLAIN, forwarded=True)) == "↪ Forwarded"
    assert context_text(PLAIN) is None
    plain, quoted = (layout_message(600, m, False, font) for m in (PLAIN, reply))
    assert plain.context is None
    assert quoted.context is not None and quoted.text is not None
    assert quoted.context.bottom() < quoted.text.top()
    assert quoted.height > plain.height
    assert spoken(reply).startswith("Reply to “Do you have it in blue?”.")


def test_reactions_edits_and_sent_elsewhere_are_on_the_bubble(qapp: QCoreApplication):
    assert meta_text(replace(PLAIN, reactions=("😮",), edited=True)).startswith("😮 · edited · ")
    ours = replace(
        PLAIN, direction=MessageDirection.OUTBOUND, status=MessageStatus.SENT, sent_elsewhere=True
    )
    assert "Sent elsewhere" in meta_text(ours)
    assert spoken(ours).startswith("You, from elsewhere:")


def test_a_deleted_message_leaves_a_note_and_no_file(qapp: QCoreApplication):
    gone = replace(PLAIN, content=None, content_type=ContentType.IMAGE, deleted=True, edited=True)
    layout = layout_message(600, gone, False, QFont())
    assert layout.card is None and layout.text is not None
    assert gone.shown_text == "This message was deleted"
    assert "edited" not in meta_text(gone)
    assert spoken(gone) == "Customer: This message was deleted"


def test_a_failed_reply_says_the_platforms_reason_under_it_and_paints(
    qapp: QCoreApplication, qtbot
):
    failed = replace(
        PLAIN,
        direction=MessageDirection.OUTBOUND,
        status=MessageStatus.FAILED,
        failure_reason="Message undeliverable: The number is not on WhatsApp",
        reply_to_id="wamid.1",
        quoted="hi",
        reactions=("👍",),
    )
    layout = layout_message(600, failed, False, QFont())
    assert failure_text(failed) == "Message undeliverable: The number is not on WhatsApp"
    assert layout.reason is not None and layout.reason.top() > layout.bubble.bottom()
    # the delegate paints every part without complaint
    view = QListView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    model = QStandardItemModel()
    item = QStandardItem()
    item.setData(failed, MessageRole)
    model.appendRow(item)
    view.setModel(model)
    delegate = MessageDelegate(view)
    option = QStyleOptionViewItem()
    option.rect = view.rect()
    option.font = QFont()
    image = QImage(600, 400, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    assert delegate.sizeHint(option, model.index(0, 0)).height() == layout.height


def test_a_file_name_cannot_disguise_itself_on_its_card(qapp: QCoreApplication):
    """A teammate (or a customer) names a file "invoice<U+202E>fdp.exe": with the
    right-to-left override it would show as "invoiceexe.pdf"; the card shows the
    letters in their stored order, control characters as "_", and a name at all."""

    def card(name: str) -> str:
        file = replace(PLAIN, content_type=ContentType.FILE, content=None)
        return _card_lines(replace(file, attachment=AttachmentInfo(name, 7, True)))[0]

    assert card("invoice\u202efdp.exe") == "📎 invoicefdp.exe"
    assert card("\u2067cod.exe\u2069") == "📎 cod.exe"
    assert card("red\x1b[31m") == "📎 red_[31m"
    assert card("") == "📎 file"
    assert card("Invoice 12.pdf") == "📎 Invoice 12.pdf"
