"""Paints one inbox row: avatar, platform badge, name, preview, time, unread badge.

Stateless: everything it paints comes from the row's ConversationSummary and
the palette, so one delegate serves every row.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from snorq_desktop.domain.assignments import Teammate
from snorq_desktop.domain.inbox import ConversationSummary
from snorq_desktop.domain.snooze import wake_text
from snorq_desktop.ui.formatting import colour_for, connection_marker, initials, relative_time
from snorq_desktop.ui.icons import badge_pixmap, platform_icon_name
from snorq_desktop.ui.inbox_model import SummaryRole
from snorq_desktop.ui.reply_clocks import CLOSING_COLOUR, row_warning
from snorq_desktop.ui.teammate_avatar import paint_teammate

ROW_HEIGHT = 68  # at the usual font; a bigger font makes the row taller
AVATAR = 44
BADGE = 18
ASSIGNEE = 18  # the assignee's avatar at the end of the preview line (#17.2)
PAD = 10
LINE = 22  # each of the two lines of text, at least
LINE_GAP = 2
CHIPS = 3  # label chips painted at most; a "+n" says how many more
CHIP_TEXT = 12  # characters of a label name on a chip
DRAFT_MARK = "Draft:"
DRAFT_COLOUR = "#d93025"  # the red mail clients use for an unsent draft
STOPPED_COLOUR = "#b3261e"  # a connection that cannot send (as the Connections page says)


def _name_font(font: QFont, bold: bool = True) -> QFont:
    name = QFont(font)
    name.setBold(bold)
    name.setPointSizeF(font.pointSizeF() + 0.5)
    return name


def line_heights(font: QFont) -> tuple[int, int]:
    """The name line's height and the preview line's, for the list's font: the
    row grows with the font (a large system font, a big unread badge)."""
    name = QFontMetrics(_name_font(font)).height() + 4
    preview = QFontMetrics(font).height() + 4
    return max(LINE, name), max(LINE, preview)


class AvatarSource:
    """Where the delegate finds a contact's picture once it is cached."""

    def pixmap(self, url: str | None) -> QPixmap | None:  # pragma: no cover - interface
        return None


def row_height(font: QFont) -> int:
    """A row's height at ``font``: the usual 68 px, taller when its two lines need it."""
    name, preview = line_heights(font)
    return max(ROW_HEIGHT, PAD + name + LINE_GAP + preview + PAD)


class ConversationDelegate(QStyledItemDelegate):
    def __init__(
        self,
        avatars: AvatarSource | None = None,
        parent: QWidget | None = None,
        *,
        has_draft: Callable[[str], bool] | None = None,
    ) -> None:
        """``has_draft``: whether I left an unsent reply in a conversation (its row
        then says "Draft:" before the preview)."""
        super().__init__(parent)
        self._avatars = avatars or AvatarSource()
        self._has_draft = has_draft or (lambda _: False)
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        # A label's chip colour by its name (the window's LabelCatalog.colour_of).
        self.label_colour: Callable[[str], QColor] = lambda _: QColor("#6366f1")
        # Who an assignee is, by user id (the window's WindowAssignments.teammate).
        self.assignee_of: Callable[[str], Teammate | None] = lambda _: None

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        # As narrow as the avatar: the row takes the list's width, never more (a
        # wider hint gives a narrow list a sideways scroll bar, times cut off).
        return QSize(PAD * 2 + AVATAR, row_height(option.font))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        summary: ConversationSummary | None = index.data(SummaryRole)
        if summary is None:
            self._paint_placeholder(painter, option)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect
        palette: QPalette = option.palette
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.highlight())
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.alternateBase())
        text_colour = palette.highlightedText().color() if selected else palette.text().color()
        muted = QColor(text_colour)
        muted.setAlphaF(0.62)

        self._paint_avatar(painter, rect, summary)
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        avatar_top = rect.top() + (rect.height() - AVATAR) // 2  # centred in a taller row too
        badge_at = QRect(
            rect.left() + PAD + AVATAR - BADGE + 4, avatar_top + AVATAR - BADGE + 2, BADGE, BADGE
        )
        badge = badge_pixmap(platform_icon_name(summary.platform), BADGE, ratio)
        painter.drawPixmap(badge_at, badge)

        left = rect.left() + PAD * 2 + AVATAR
        right = rect.right() - PAD
        base_font: QFont = option.font
        name_font = _name_font(base_font, summary.unread_count > 0)
        name_line, preview_line = line_heights(base_font)
        time_text = relative_time(summary.last_message_at or summary.activity, self.now())
        if summary.snoozed_until is not None and summary.snoozed_until > self.now():
            time_text = f"until {wake_text(summary.snoozed_until, self.now())}"  # when it wakes
        time_font = QFont(base_font)
        time_font.setPointSizeF(base_font.pointSizeF() - 1)
        time_width = QFontMetrics(time_font).horizontalAdvance(time_text) + 4
        top_line = QRect(left, rect.top() + PAD, right - left - time_width, name_line)
        name_metrics = QFontMetrics(name_font)
        name_room = top_line.width()
        if summary.labels:
            # The name keeps at least half the line; chips get what it leaves.
            name_room = max(top_line.width() // 2, top_line.width() - 150)
            name_room = min(name_room, name_metrics.horizontalAdvance(summary.contact_name) + 2)
        painter.setFont(name_font)
        painter.setPen(text_colour)
        name = name_metrics.elidedText(summary.contact_name, Qt.TextElideMode.ElideRight, name_room)
        painter.drawText(top_line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        if summary.labels:
            chips = QRect(top_line.left() + name_room + 6, top_line.top(), 0, name_line)
            chips.setRight(top_line.right())
            self._paint_chips(painter, chips, summary.labels, time_font)
        painter.setFont(time_font)
        painter.setPen(muted if summary.unread_count == 0 else palette.link().color())
        painter.drawText(
            QRect(right - time_width, rect.top() + PAD, time_width, name_line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            time_text,
        )

        bottom_line = QRect(
            left, rect.top() + PAD + name_line + LINE_GAP, right - left, preview_line
        )
        if summary.unread_count:
            bottom_line.setRight(
                self._paint_unread(painter, bottom_line, summary.unread_count, palette, base_font)
                - 6
            )
        if summary.assignee_id and (assignee := self.assignee_of(summary.assignee_id)):
            bottom_line.setRight(self._paint_assignee(painter, bottom_line, assignee) - 6)
        if marker := connection_marker(summary.connection_status):
            bottom_line.setLeft(
                self._paint_mark(painter, bottom_line, base_font, selected, f"⚠ {marker} ·")
            )
        if warning := row_warning(summary, self.now()):  # the reply window's last hour
            bottom_line.setLeft(
                self._paint_mark(
                    painter, bottom_line, base_font, selected, f"{warning} ·", CLOSING_COLOUR
                )
            )
        if self._has_draft(summary.id):
            bottom_line.setLeft(self._paint_draft_mark(painter, bottom_line, base_font, selected))
        preview_font = QFont(base_font)
        preview_font.setBold(summary.unread_count > 0)
        painter.setFont(preview_font)
        painter.setPen(text_colour if summary.unread_count else muted)
        preview = QFontMetrics(preview_font).elidedText(
            summary.last_message_preview or "", Qt.TextElideMode.ElideRight, bottom_line.width()
        )
        painter.drawText(
            bottom_line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, preview
        )
        painter.restore()

    def assignee_circle(self, line: QRect) -> QRectF:
        """Where the assignee's avatar goes: the right end of the preview line."""
        top = line.center().y() - ASSIGNEE / 2 + 1
        return QRectF(line.right() - ASSIGNEE, top, ASSIGNEE, ASSIGNEE)

    def _paint_assignee(self, painter: QPainter, line: QRect, assignee: Teammate) -> int:
        """The teammate on it; returns where the rest of the line ends."""
        circle = self.assignee_circle(line)
        paint_teammate(painter, circle, assignee, self._avatars.pixmap(assignee.avatar_url))
        return int(circle.left())

    def _paint_draft_mark(self, painter: QPainter, line: QRect, font: QFont, selected: bool) -> int:
        """ "Draft:" in the draft colour; returns where the preview starts."""
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#ffd7d3") if selected else QColor(DRAFT_COLOUR))
        width = QFontMetrics(bold).horizontalAdvance(DRAFT_MARK) + 4
        painter.drawText(
            line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, DRAFT_MARK
        )
        return line.left() + width

    def _paint_mark(
        self,
        painter: QPainter,
        line: QRect,
        font: QFont,
        selected: bool,
        mark: str,
        colour: str | None = None,
    ) -> int:
        """The connection's trouble (or ``colour``'s mark) before the preview;
        returns where the rest starts."""
        painter.setFont(font)
        if colour is not None:  # the reply window's warning reads on either row
            painter.setPen(QColor(colour))
        else:
            painter.setPen(QColor("#ffd7d3") if selected else QColor(STOPPED_COLOUR))
        width = QFontMetrics(font).horizontalAdvance(mark) + 4
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, mark)
        return line.left() + width

    def _paint_chips(
        self, painter: QPainter, line: QRect, labels: tuple[str, ...], font: QFont
    ) -> None:
        """Small pills in each label's colour, as many as fit (at most CHIPS)."""
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() - 0.5))
        metrics = QFontMetrics(small)
        painter.setFont(small)
        x = line.left()
        for number, label in enumerate(labels[:CHIPS]):
            text = label if len(label) <= CHIP_TEXT else label[: CHIP_TEXT - 1] + "…"
            width = metrics.horizontalAdvance(text) + 10
            more = len(labels) - number - 1
            if x + width > line.right() or (number == CHIPS - 1 and more > 0):
                painter.setPen(self.label_colour(label))
                painter.drawText(
                    QRect(x, line.top(), max(0, line.right() - x), line.height()),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"+{len(labels) - number}",
                )
                return
            pill = QRectF(x, line.center().y() - 8, width, 16)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.label_colour(label))
            painter.drawRoundedRect(pill, 8, 8)
            painter.setPen(QColor("white"))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            x += width + 4

    def _paint_placeholder(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        """A row whose details are on their way (scrolled back into view)."""
        rect: QRect = option.rect
        shade = QColor(option.palette.text().color())
        shade.setAlphaF(0.08)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shade)
        painter.drawEllipse(
            QRectF(rect.left() + PAD, rect.top() + (rect.height() - AVATAR) / 2, AVATAR, AVATAR)
        )
        left = rect.left() + PAD * 2 + AVATAR
        width = max(0, rect.right() - PAD - left)
        painter.drawRoundedRect(QRectF(left, rect.top() + PAD + 4, width * 0.45, 12), 6, 6)
        painter.drawRoundedRect(QRectF(left, rect.top() + PAD + 30, width * 0.8, 10), 5, 5)
        painter.restore()

    def _paint_avatar(self, painter: QPainter, rect: QRect, summary: ConversationSummary) -> None:
        circle = QRectF(
            rect.left() + PAD, rect.top() + (rect.height() - AVATAR) / 2, AVATAR, AVATAR
        )
        picture = self._avatars.pixmap(summary.contact_avatar_url)
        if picture is not None:
            painter.save()
            clip = QPainterPath()
            clip.addEllipse(circle)
            painter.setClipPath(clip)
            painter.drawPixmap(circle.toRect(), picture)
            painter.restore()
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour_for(summary.contact_name))
        painter.drawEllipse(circle)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(16)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(summary.contact_name))

    def _paint_unread(
        self, painter: QPainter, line: QRect, count: int, palette: QPalette, font: QFont
    ) -> int:
        text = str(count) if count < 100 else "99+"
        small = QFont(font)
        small.setBold(True)
        small.setPointSizeF(font.pointSizeF() - 1)
        width = max(20, QFontMetrics(small).horizontalAdvance(text) + 12)
        pill = QRectF(line.right() - width, line.center().y() - 10, width, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.link())
        painter.drawRoundedRect(pill, 10, 10)
        painter.setFont(small)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        return int(pill.left())
