"""Where a reply is written.  Ctrl+Enter sends (or Enter, if the user prefers);
when the conversation's connection cannot send, the box is disabled and says why."""

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

SEND_WITH_CTRL_ENTER = "ctrl+enter"
SEND_WITH_ENTER = "enter"


class Composer(QWidget):
    """Signals:
    - ``send_requested(str)``: the text to send (never blank);
    - ``reconnect_requested()``: the person wants to reconnect the blocked connection.
    """

    send_requested = Signal(str)
    reconnect_requested = Signal()

    def __init__(self, send_key: str = SEND_WITH_CTRL_ENTER, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.send_key = send_key
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("composerEditor")
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(74)
        self.editor.installEventFilter(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.reason = QLabel(self)
        self.reason.setObjectName("replyBlockedReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.reason.hide()
        self.reconnect_button = QPushButton("Reconnect…", self)
        self.reconnect_button.setObjectName("reconnectButton")
        self.reconnect_button.setFlat(True)
        self.reconnect_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.reconnect_button.setStyleSheet("color: palette(link); text-decoration: underline;")
        self.reconnect_button.clicked.connect(self.reconnect_requested.emit)
        self.reconnect_button.hide()
        blocked_row = QHBoxLayout()
        blocked_row.addWidget(self.reason, 1)
        blocked_row.addWidget(self.reconnect_button, 0, Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout()
        row.addWidget(self.editor, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 10)
        layout.addLayout(blocked_row)
        layout.addLayout(row)
        self.editor.textChanged.connect(self._update_button)
        self._blocked: str | None = None
        self._update_placeholder()
        self._update_button()

    def _update_placeholder(self) -> None:
        key = "Ctrl+Enter" if self.send_key == SEND_WITH_CTRL_ENTER else "Enter"
        self.editor.setPlaceholderText(f"Write a reply… ({key} sends)")

    def set_send_key(self, send_key: str) -> None:
        self.send_key = send_key
        self._update_placeholder()

    def set_blocked(self, reason: str | None, *, can_reconnect: bool = False) -> None:
        """None: replies can be sent; else why not, shown above the box, with a
        Reconnect… link when the cause is the connection."""
        self.reconnect_button.setVisible(reason is not None and can_reconnect)
        self._blocked = reason
        self.reason.setText(reason or "")
        self.reason.setVisible(reason is not None)
        self.editor.setReadOnly(reason is not None)
        self._update_button()

    @property
    def blocked_reason(self) -> str | None:
        return self._blocked

    def _update_button(self) -> None:
        self.send_button.setEnabled(
            self._blocked is None and bool(self.editor.toPlainText().strip())
        )

    def send(self) -> None:
        text = self.editor.toPlainText().strip()
        if not text or self._blocked is not None:
            return
        self.editor.clear()
        self.send_requested.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                wants_send = ctrl if self.send_key == SEND_WITH_CTRL_ENTER else not shift
                if wants_send:
                    self.send()
                    return True
        return super().eventFilter(watched, event)
