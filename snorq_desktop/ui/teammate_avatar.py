"""A teammate's small round avatar (#17.2): their picture when it is cached,
else their initials on their own colour, as contacts' avatars are painted."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPixmap

from snorq_desktop.domain.assignments import Teammate
from snorq_desktop.ui.formatting import colour_for, initials


def paint_teammate(
    painter: QPainter, circle: QRectF, teammate: Teammate, picture: QPixmap | None
) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if picture is not None:
        clip = QPainterPath()
        clip.addEllipse(circle)
        painter.setClipPath(clip)
        painter.drawPixmap(circle.toRect(), picture)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour_for(teammate.name))
        painter.drawEllipse(circle)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(max(7, int(circle.height() * 0.45)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(teammate.name))
    painter.restore()


def teammate_icon(teammate: Teammate, picture: QPixmap | None, size: int = 20) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_teammate(painter, QRectF(1, 1, size - 2, size - 2), teammate, picture)
    painter.end()
    return QIcon(pixmap)
