"""Paints thread messages as bubbles: inbound on the left, ours on the right;
internal notes as full-width yellow cards with a lock, never like a bubble.

``layout_message`` decides every rectangle of a row; ``sizeHint`` and
``paint`` both call it, so the height Qt reserves is exactly what is drawn.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlparse

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QTextLayout,
)
from PySide6.QtWidgets import QListView, QStyledItemDelegate, QStyleOptionViewItem

from snorq_desktop.domain.attachments import human_size, shown_file_name
from snorq_desktop.domain.business_hours import CAPTIONS
from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus
from snorq_desktop.domain.inbox import ThreadMessage
from snorq_desktop.domain.notes import ThreadNote
from snorq_desktop.ui.formatting import day_label
from snorq_desktop.ui.pictures import Pictures
from snorq_desktop.ui.search_marks import draw_marked, mark_formats
from snorq_desktop.ui.send_later import scheduled_text
from snorq_desktop.ui.thread_model import MessageRole, NoteRole, StartsDayRole

MARGIN = 12
PAD = 9
DAY_HEIGHT = 34
CARD_HEIGHT = 46
PICTURE_HEIGHT = 200  # a kept photo is drawn, fitted, in a box this tall
META_HEIGHT = 16
GAP = 6

_TEXT_FLAGS = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop

MEDIA_LABELS = {
    ContentType.IMAGE: ("🖼", "Photo"),
    ContentType.VIDEO: ("🎬", "Video"),
    ContentType.AUDIO: ("🎤", "Voice message"),
    ContentType.FILE: ("📎", "File"),
    ContentType.STICKER: ("✨", "Sticker"),
    ContentType.LOCATION: ("📍", "Location"),
}

STATUS_TEXT = {
    MessageStatus.PENDING: "🕓 Sending…",
    MessageStatus.SENT: "✓ Sent",
    MessageStatus.DELIVERED: "✓✓ Delivered",
    MessageStatus.READ: "✓✓ Read",
    MessageStatus.FAILED: "⚠ Not sent · click to retry",
}


@dataclass(frozen=True)
class MessageLayout:
    height: int
    day: QRect | None
    bubble: QRect
    card: QRect | None
    text: QRect | None
    meta: QRect
    reason: QRect | None = None  # why the platform refused it, under the bubble
    context: QRect | None = None  # "Forwarded", the quoted message it answers


@dataclass(frozen=True)
class NoteLayout:
    height: int
    day: QRect | None
    card: QRect
    title: QRect
    text: QRect


# Yellow in both themes, with a dark or light ink: a note never looks like a bubble.
NOTE_COLOURS = {
    False: ("#fff4c4", "#e0b100", "#3a2f00"),  # light: fill, edge, ink
    True: ("#4a3f12", "#c9a227", "#fff3c4"),  # dark
}


def note_title(note: ThreadNote) -> str:
    return f"🔒 Internal note · {note.author_name} · {note.sent_at.astimezone():%H:%M}"


def layout_note(width: int, note: ThreadNote, starts_day: bool, font: QFont) -> NoteLayout:
    top = DAY_HEIGHT if starts_day else 0
    day = QRect(0, 0, width, DAY_HEIGHT) if starts_day else None
    inner = max(80, width - 2 * MARGIN - 2 * PAD - 4)
    text_height = (
        QFontMetrics(font).boundingRect(QRect(0, 0, inner, 100_000), _TEXT_FLAGS, note.content)
    ).height()
    height = PAD + META_HEIGHT + GAP + text_height + PAD
    card = QRect(MARGIN, top + GAP // 2, width - 2 * MARGIN, height)
    title = QRect(card.left() + PAD + 4, card.top() + PAD, inner, META_HEIGHT)
    text = QRect(title.left(), title.bottom() + 1 + GAP, inner, text_height)
    return NoteLayout(top + height + GAP, day, card, title, text)


def _card_lines(message: ThreadMessage) -> tuple[str, str]:
    glyph, label = MEDIA_LABELS.get(message.content_type, ("📎", "Attachment"))
    if message.content_type is ContentType.LOCATION:
        return f"{glyph} {label}", message.media_url or ""
    file = message.attachment
    if file is not None:
        name = shown_file_name(file.file_name)
        if not file.kept:
            return f"{glyph} {name}", file.problem or "not available"
        return f"{glyph} {name}", f"{human_size(file.size)} · click to open"
    name = ""
    if message.media_url:
        name = PurePosixPath(urlparse(message.media_url).path).name
    details = " · ".join(part for part in (name, message.media_type) if part)
    return f"{glyph} {label}", details or "not downloaded yet"


def shows_picture(message: ThreadMessage) -> bool:
    """A photo the team keeps is drawn in the bubble rather than as a card."""
    return (
        message.content_type in (ContentType.IMAGE, ContentType.STICKER)
        and message.attachment is not None
        and message.attachment.kept
    )


def _caption(message: ThreadMessage) -> str | None:
    return message.shown_text or None


def context_text(message: ThreadMessage) -> str | None:
    """What is said above the text: forwarded, and the message it answers."""
    lines = []
    if message.forwarded:
        lines.append("↪ Forwarded")
    if message.quoted is not None:
        lines.append(f"↩ “{message.quoted}”")
    elif message.reply_to_id:
        lines.append("↩ Reply to an earlier message")
    return "\n".join(lines) or None


def _has_card(message: ThreadMessage) -> bool:
    return message.content_type is not ContentType.TEXT and not message.deleted


def layout_message(
    width: int, message: ThreadMessage, starts_day: bool, font: QFont
) -> MessageLayout:
    metrics = QFontMetrics(font)
    top = 0
    day = None
    if starts_day:
        day = QRect(0, 0, width, DAY_HEIGHT)
        top = DAY_HEIGHT
    widest = max(160, int(width * 0.72))
    inner = widest - 2 * PAD
    card = None
    card_width = 0
    card_height = CARD_HEIGHT
    if _has_card(message):
        card_width = min(inner, 280)
    if shows_picture(message) and not message.deleted:
        card_width, card_height = min(inner, 260), PICTURE_HEIGHT
    caption = _caption(message)
    text_size = QSize(0, 0)
    if caption:
        text_size = metrics.boundingRect(QRect(0, 0, inner, 100_000), _TEXT_FLAGS, caption).size()
    above = context_text(message)
    above_size = QSize(0, 0)
    if above:
        above_size = (
            QFontMetrics(_small(font))
            .boundingRect(QRect(0, 0, inner, 100_000), _TEXT_FLAGS, above)
            .size()
        )
    meta_width = QFontMetrics(_small(font)).horizontalAdvance(meta_text(message)) + 4
    content_width = max(text_size.width(), card_width, meta_width, above_size.width(), 40)
    bubble_width = min(widest, content_width + 2 * PAD)
    height = PAD
    if above:
        height += above_size.height() + GAP
    if card_width:
        height += card_height + (GAP if caption else 0)
    if caption:
        height += text_size.height()
    height += GAP + META_HEIGHT + PAD
    outbound = message.direction is MessageDirection.OUTBOUND
    left = width - MARGIN - bubble_width if outbound else MARGIN
    bubble = QRect(left, top + GAP // 2, bubble_width, height)
    cursor = bubble.top() + PAD
    context = None
    if above:
        context = QRect(bubble.left() + PAD, cursor, bubble_width - 2 * PAD, above_size.height())
        cursor += above_size.height() + GAP
    if card_width:
        card = QRect(bubble.left() + PAD, cursor, bubble_width - 2 * PAD, card_height)
        cursor += card_height + (GAP if caption else 0)
    text = None
    if caption:
        text = QRect(bubble.left() + PAD, cursor, bubble_width - 2 * PAD, text_size.height())
        cursor += text_size.height()
    meta = QRect(bubble.left() + PAD, cursor + GAP, bubble_width - 2 * PAD, META_HEIGHT)
    reason = None
    total = top + height + GAP
    if explanation := failure_text(message):
        size = (
            QFontMetrics(_small(font))
            .boundingRect(QRect(0, 0, widest, 100_000), _TEXT_FLAGS, explanation)
            .size()
        )
        reason_left = width - MARGIN - size.width() if outbound else MARGIN
        reason = QRect(reason_left, bubble.bottom() + 3, size.width(), size.height())
        total += size.height() + 3
    return MessageLayout(total, day, bubble, card, text, meta, reason, context)


def _italic(font: QFont) -> QFont:
    slanted = QFont(font)
    slanted.setItalic(True)
    return slanted


def _small(font: QFont) -> QFont:
    small = QFont(font)
    small.setPointSizeF(max(6.0, font.pointSizeF() - 1.5))
    return small


def meta_text(message: ThreadMessage) -> str:
    time = message.sent_at.astimezone().strftime("%H:%M")
    reactions = " ".join(message.reactions) or None
    edited = "edited" if message.edited and not message.deleted else None
    if message.direction is MessageDirection.INBOUND:
        return " · ".join(part for part in (reactions, edited, time) if part)
    template = f"Template “{message.template_name}”" if message.template_name else None
    elsewhere = "Sent elsewhere" if message.sent_elsewhere else None
    automatic = CAPTIONS[message.automatic] if message.automatic else None
    parts = [
        reactions,
        template,
        elsewhere,
        automatic,
        message.sender_name,
        edited,
        time,
        scheduled_text(message) or STATUS_TEXT[message.status],
    ]
    return " · ".join(part for part in parts if part)


def failure_text(message: ThreadMessage) -> str | None:
    """Why the platform refused a reply, shown under it."""
    if message.status is not MessageStatus.FAILED or not message.failure_reason:
        return None
    return message.failure_reason


class MessageDelegate(QStyledItemDelegate):
    def __init__(self, view: QListView, pictures: Pictures | None = None) -> None:
        super().__init__(view)
        self._view = view
        self._pictures = pictures
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        # The words of the search the thread was opened from (marked in the bubbles).
        self.marked_words: Callable[[], list[str]] = lambda: []

    def text_formats(self, message: ThreadMessage) -> list[QTextLayout.FormatRange]:
        """How the bubble's text is drawn: the words of the search marked."""
        if message.deleted or not message.shown_text:
            return []
        return mark_formats(message.shown_text, self.marked_words())

    def _layout(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> MessageLayout | None:
        message: ThreadMessage | None = index.data(MessageRole)
        if message is None:
            return None
        width = self._view.viewport().width()
        return layout_message(width, message, bool(index.data(StartsDayRole)), option.font)

    def _note_layout(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> NoteLayout | None:
        note: ThreadNote | None = index.data(NoteRole)
        if note is None:
            return None
        width = self._view.viewport().width()
        return layout_note(width, note, bool(index.data(StartsDayRole)), option.font)

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        if (note := self._note_layout(option, index)) is not None:
            return QSize(self._view.viewport().width(), note.height)
        layout = self._layout(option, index)
        return QSize(self._view.viewport().width(), layout.height if layout else 0)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        note_layout = self._note_layout(option, index)
        if note_layout is not None:
            self._paint_note(painter, option, note_layout, index.data(NoteRole))
            return
        layout = self._layout(option, index)
        message: ThreadMessage | None = index.data(MessageRole)
        if layout is None or message is None:
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        font: QFont = option.font
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.topLeft())
        if layout.day is not None:
            self._paint_day(painter, layout.day, message, palette, font)
        outbound = message.direction is MessageDirection.OUTBOUND
        fill, ink = _bubble_colours(palette, outbound, message.status is MessageStatus.FAILED)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(layout.bubble), 12, 12)
        if layout.card is not None:
            picture = (
                self._pictures.get(message.id)
                if self._pictures is not None and shows_picture(message)
                else None
            )
            if picture is not None:
                self._paint_picture(painter, layout.card, picture, message, font)
            else:
                self._paint_card(painter, layout.card, message, ink, font)
        if layout.context is not None:
            painter.setFont(_small(font))
            faded = QColor(ink)
            faded.setAlphaF(0.75)
            painter.setPen(faded)
            painter.drawText(layout.context, _TEXT_FLAGS, context_text(message) or "")
        if layout.text is not None and (said := message.shown_text):
            painter.setFont(_italic(font) if message.deleted else font)
            painter.setPen(ink)
            if formats := self.text_formats(message):
                draw_marked(painter, layout.text, said, font, formats)
            else:
                painter.drawText(layout.text, _TEXT_FLAGS, said)
        meta_ink = QColor(ink)
        meta_ink.setAlphaF(0.7)
        if message.status is MessageStatus.FAILED:
            meta_ink = QColor("#d93025") if not outbound else QColor("#ffd7d2")
        if message.status is MessageStatus.READ and outbound:
            meta_ink = QColor("#bfe3ff")
        if layout.reason is not None:
            painter.setFont(_small(font))
            painter.setPen(QColor("#d93025"))
            painter.drawText(layout.reason, _TEXT_FLAGS, failure_text(message) or "")
        painter.setFont(_small(font))
        painter.setPen(meta_ink)
        painter.drawText(
            layout.meta,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            meta_text(message),
        )
        painter.restore()

    def _paint_note(
        self, painter: QPainter, option: QStyleOptionViewItem, layout: NoteLayout, note: ThreadNote
    ) -> None:
        palette: QPalette = option.palette
        font: QFont = option.font
        dark = palette.window().color().lightness() < 128
        fill, edge, ink = (QColor(c) for c in NOTE_COLOURS[dark])
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(option.rect.topLeft())
        if layout.day is not None:
            self._paint_day(painter, layout.day, note, palette, font)
        painter.setPen(edge)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(layout.card).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(edge)  # the edge bar: a note, whatever the width
        painter.drawRoundedRect(
            QRectF(layout.card.left(), layout.card.top(), 4, layout.card.height()), 2, 2
        )
        title_font = _small(font)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(ink)
        painter.drawText(
            layout.title,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            note_title(note),
        )
        painter.setFont(font)
        painter.drawText(layout.text, _TEXT_FLAGS, note.content)
        painter.restore()

    def _paint_day(
        self,
        painter: QPainter,
        rect: QRect,
        message: ThreadMessage | ThreadNote,
        palette: QPalette,
        font: QFont,
    ) -> None:
        label = day_label(message.sent_at, self.now())
        small = _small(font)
        small.setBold(True)
        width = QFontMetrics(small).horizontalAdvance(label) + 24
        pill = QRectF(rect.center().x() - width / 2, rect.top() + 7, width, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.alternateBase())
        painter.drawRoundedRect(pill, 10, 10)
        painter.setFont(small)
        painter.setPen(palette.placeholderText().color())
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_picture(
        self, painter: QPainter, rect: QRect, picture: QImage, message: ThreadMessage, font: QFont
    ) -> None:
        size = picture.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(rect.topLeft(), size)
        if message.direction is MessageDirection.OUTBOUND:
            target.moveRight(rect.right())
        path = QPainterPath()
        path.addRoundedRect(QRectF(target), 8, 8)
        painter.save()
        painter.setClipPath(path)
        painter.drawImage(target, picture)
        # Name and size on a dark strip along the bottom, readable on any photo.
        small = _small(font)
        strip = QRect(target.left(), target.bottom() - 20, target.width(), 21)
        painter.fillRect(strip, QColor(0, 0, 0, 120))
        painter.setFont(small)
        painter.setPen(QColor("white"))
        attachment = message.attachment
        label = (
            f"{shown_file_name(attachment.file_name)} · {human_size(attachment.size)}"
            if attachment
            else ""
        )
        elided = QFontMetrics(small).elidedText(
            label, Qt.TextElideMode.ElideMiddle, strip.width() - 12
        )
        painter.drawText(strip.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, elided)
        painter.restore()

    def _paint_card(
        self, painter: QPainter, rect: QRect, message: ThreadMessage, ink: QColor, font: QFont
    ) -> None:
        tint = QColor(ink)
        tint.setAlphaF(0.10)
        painter.setBrush(tint)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(QRectF(rect), 8, 8)
        title, details = _card_lines(message)
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(ink)
        inner = rect.adjusted(10, 5, -10, -5)
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title)
        small = _small(font)
        painter.setFont(small)
        faded = QColor(ink)
        faded.setAlphaF(0.75)
        painter.setPen(faded)
        elided = QFontMetrics(small).elidedText(
            details, Qt.TextElideMode.ElideMiddle, inner.width()
        )
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, elided)


def _bubble_colours(palette: QPalette, outbound: bool, failed: bool) -> tuple[QColor, QColor]:
    dark = palette.window().color().lightness() < 128
    if outbound:
        fill = QColor("#a33a2f") if failed else QColor("#3b5bdb" if not dark else "#4c6ef5")
        return fill, QColor("white")
    return palette.alternateBase().color(), palette.text().color()
