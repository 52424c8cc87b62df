"""The link of a login page, shown when no web browser could be opened on it
(none set as the default, or it failed to start): selectable, with Copy, and a
sentence saying to open it in a browser.  The login goes on waiting meanwhile,
so the person is never left with only a line on the terminal."""

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class LinkToCopy(QWidget):
    """Hidden until :meth:`show_link` (or :meth:`show_link_from_any_thread`)."""

    _arrived = Signal(str)  # carries the link from a login's thread to the UI thread

    def __init__(self, purpose: str, parent: QWidget | None = None) -> None:
        """``purpose``: what opening the link does ("to sign in with Google")."""
        super().__init__(parent)
        self.sentence = QLabel(
            f"Your web browser could not be opened. Copy this link and open it in a web "
            f"browser {purpose}; this window waits for you meanwhile.",
            self,
        )
        self.sentence.setObjectName("linkToCopySentence")
        self.sentence.setWordWrap(True)
        self.link = QLineEdit(self)
        self.link.setObjectName("linkToCopy")
        self.link.setReadOnly(True)  # selectable and copyable, never edited
        self.link.setAccessibleName("Link to open in a web browser")
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setObjectName("copyLinkButton")
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.link, 1)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sentence)
        layout.addLayout(row)
        self._arrived.connect(self.show_link)
        self.hide()

    def show_link_from_any_thread(self, url: str) -> None:
        self._arrived.emit(url)

    def show_link(self, url: str) -> None:
        self.link.setText(url)
        self.link.setCursorPosition(0)
        self.copy_button.setText("Copy")
        self.show()
        self.link.setFocus()
        self.link.selectAll()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.link.text())
        self.copy_button.setText("Copied")

    def forget(self) -> None:
        """The login ended: its link leads nowhere any more."""
        self.hide()
        self.link.clear()
