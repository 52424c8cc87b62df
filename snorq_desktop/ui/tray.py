"""The tray icon with the unread count, and notifications of new messages."""

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from snorq_desktop.ui.icons import svg_pixmap


def badge_icon(unread: int, size: int = 64) -> QIcon:
    """The app icon with a red count in its corner (none at zero)."""
    pixmap = QPixmap(svg_pixmap("snorq", size))
    if unread > 0:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = str(unread) if unread < 100 else "99+"
        diameter = size * 0.55
        circle = QRectF(size - diameter, 0, diameter, diameter)
        painter.setBrush(QColor("#e5484d"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(circle)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(diameter * (0.55 if len(text) < 3 else 0.4)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
    return QIcon(pixmap)


class InboxTray(QObject):
    """Signals:
    - ``conversation_clicked(str)``: a notification was clicked;
    - ``show_requested()``: the tray icon was clicked.
    """

    conversation_clicked = Signal(str)
    show_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.unread = 0
        self.last_notified: str | None = None
        self.icon = QSystemTrayIcon(badge_icon(0), self)
        self.icon.setToolTip("SNORQ Desktop")
        menu = QMenu()
        menu.addAction("Show SNORQ Desktop", self.show_requested.emit)
        self._menu = menu
        self.icon.setContextMenu(menu)
        self.icon.messageClicked.connect(self._message_clicked)
        self.icon.activated.connect(lambda _: self.show_requested.emit())
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()

    def set_unread(self, unread: int) -> None:
        if unread != self.unread:
            self.unread = unread
            self.icon.setIcon(badge_icon(unread))
            self.icon.setToolTip(f"SNORQ Desktop — {unread} unread" if unread else "SNORQ Desktop")

    def notify(self, conversation_id: str, title: str, text: str) -> None:
        self.last_notified = conversation_id
        self.icon.showMessage(title, text, badge_icon(self.unread), 6000)

    def _message_clicked(self) -> None:
        if self.last_notified is not None:
            self.conversation_clicked.emit(self.last_notified)
