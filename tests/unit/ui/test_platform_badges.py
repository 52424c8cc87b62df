"""Any palette (issue 19.6): a platform badge stays visible on a dark row (the
black TikTok badge on a dark row could not be seen)."""

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyleOptionViewItem

from snorq_desktop.domain.enums import ConnectionStatus, ConversationStatus, Platform
from snorq_desktop.domain.inbox import ConversationSummary
from snorq_desktop.ui.conversation_delegate import (
    AVATAR,
    BADGE,
    PAD,
    ROW_HEIGHT,
    ConversationDelegate,
)
from snorq_desktop.ui.inbox_model import SummaryRole
from snorq_desktop.ui.theme import palette_for


def _row_image(platform: Platform, dark: bool) -> QImage:
    now = datetime.now(UTC)
    summary = ConversationSummary(
        "c1",
        platform,
        "Kenji Watanabe",
        None,
        "Is it in stock?",
        now,
        now,
        0,
        ConversationStatus.OPEN,
        ConnectionStatus.ACTIVE,
    )
    model = QStandardItemModel()
    item = QStandardItem()
    item.setData(summary, SummaryRole)
    model.appendRow(item)
    palette = palette_for(dark)
    image = QImage(420, ROW_HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(palette.base().color())
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 420, ROW_HEIGHT)
    option.palette = palette
    painter = QPainter(image)
    ConversationDelegate().paint(painter, option, model.index(0, 0))
    painter.end()
    return image


@pytest.mark.parametrize("platform", list(Platform))
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_platform_badge_has_a_light_ring_on_any_row(qapp, platform, dark):
    image = _row_image(platform, dark)
    left = PAD + AVATAR - BADGE + 4  # where the delegate puts the badge
    top = left
    edge = QColor(image.pixel(left + 1, top + BADGE // 2))
    assert edge.lightness() > 200, f"{platform.value} badge edge {edge.name()} on a row"
