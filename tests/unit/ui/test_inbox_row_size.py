"""Any scale (issue 19.6): an inbox row is as tall as its font needs and never
wider than the list (a fixed 68 px row cut a large font's lines off; a 260 px
wide hint gave a narrow list a sideways scroll bar, its times out of sight)."""

from PySide6.QtGui import QFont, QFontMetrics, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from snorq_desktop.ui.conversation_delegate import AVATAR, PAD, ROW_HEIGHT, ConversationDelegate


def _hint(font: QFont):
    option = QStyleOptionViewItem()
    option.font = font
    model = QStandardItemModel(1, 1)
    return ConversationDelegate().sizeHint(option, model.index(0, 0))


def test_a_row_at_a_doubled_font_has_room_for_both_lines(qapp):
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    name = QFont(font)
    name.setBold(True)
    name.setPointSizeF(font.pointSizeF() + 0.5)
    needed = 2 * PAD + QFontMetrics(name).height() + QFontMetrics(font).height()
    hint = _hint(font)
    assert hint.height() >= needed > ROW_HEIGHT


def test_a_row_at_the_usual_font_keeps_its_height_and_asks_no_width(qapp):
    hint = _hint(QApplication.font())
    assert hint.height() == ROW_HEIGHT
    assert hint.width() <= 2 * PAD + AVATAR  # the list's width decides, down to the avatar


def test_the_inbox_lists_rows_follow_its_font(qapp):
    """The list is a table (a row is a header section, not the delegate's hint):
    its rows must still grow with a bigger font."""
    from snorq_desktop.ui.inbox_view import InboxListView

    view = InboxListView()
    assert view.verticalHeader().defaultSectionSize() == ROW_HEIGHT
    font = QFont(view.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    view.setFont(font)
    assert view.verticalHeader().defaultSectionSize() == _hint(font).height() > ROW_HEIGHT
