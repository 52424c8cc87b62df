"""The "Replying to …" bar above the reply box: the message being answered,
quoted, with ✕ (or Escape in the box) to answer nothing in particular.

The target names its conversation: the reply box only ever sends it with a
reply to that same conversation (the store checks again)."""

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

QUOTE_CHARS = 120


@dataclass(frozen=True)
class ReplyTarget:
    conversation_id: str
    message_id: str  # ours
    quote: str  # what the bubble says, in one line


def one_line(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= QUOTE_CHARS else words[: QUOTE_CHARS - 1] + "…"


class ReplyBar(QFrame):
    """Signals: ``cancelled()``: the person pressed ✕."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("replyBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setObjectName("replyingTo")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setObjectName("cancelReply")
        self.cancel_button.setText("✕")
        self.cancel_button.setToolTip("Don't reply to this message (Esc)")
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 2, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.cancel_button)
        self.hide()

    def show_target(self, target: ReplyTarget | None) -> None:
        self.label.setText(f"Replying to “{target.quote}”" if target else "")
        self.setVisible(target is not None)
