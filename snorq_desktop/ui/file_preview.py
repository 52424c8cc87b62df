"""The file the person chose, shown before it reaches the customer: its name,
its size, a thumbnail for a photo and the caption, with Send and Cancel.  A file
the platform would refuse says why here, with Send disabled, so nothing is sent
half-way and nothing is found out only in the status bar."""

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.attachments import FileCheck, human_size
from snorq_desktop.domain.enums import ContentType
from snorq_desktop.ui.message_delegate import MEDIA_LABELS

THUMBNAIL = QSize(240, 180)


def keep_pasted_image(image: QImage, files_folder: Path) -> Path | None:
    """A picture from the clipboard as a PNG file, to be shown and sent like any
    other; None if it could not be written."""
    folder = files_folder / "pasted"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    path = folder / f"pasted-image-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}.png"
    return path if image.save(str(path)) else None


def thumbnail_of(check: FileCheck) -> QImage | None:
    """The photo scaled to fit the preview; None for any other file.  Safe off
    the UI thread (a QImage, not a QPixmap)."""
    if check.data is None or check.content_type not in (ContentType.IMAGE, ContentType.STICKER):
        return None
    image = QImage()
    if not image.loadFromData(check.data):
        return None  # not a format Qt reads: the preview shows the name alone
    if image.width() <= THUMBNAIL.width() and image.height() <= THUMBNAIL.height():
        return image  # small already: shown as it will arrive, not blown up
    return image.scaled(
        THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


class FilePreview(QDialog):
    """Signals: ``send_requested(str)``: Send was pressed (the caption, maybe empty).
    Cancel only closes it: nothing is sent and the reply box keeps its text."""

    send_requested = Signal(str)

    def __init__(
        self,
        check: FileCheck,
        thumbnail: QImage | None,
        caption: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Send a file")
        self.setMinimumWidth(420)
        self.thumbnail = QLabel(self)
        self.thumbnail.setObjectName("filePreviewThumbnail")
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if thumbnail is not None:
            self.thumbnail.setPixmap(QPixmap.fromImage(thumbnail))
        else:
            glyph, _ = MEDIA_LABELS.get(check.content_type, ("📎", ""))
            self.thumbnail.setText(glyph)
            font = self.thumbnail.font()
            font.setPointSizeF(font.pointSizeF() * 3)
            self.thumbnail.setFont(font)
        self.name = QLabel(check.name, self)
        self.name.setObjectName("filePreviewName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        name_font = self.name.font()
        name_font.setBold(True)
        self.name.setFont(name_font)
        _, kind = MEDIA_LABELS.get(check.content_type, ("", "Document"))
        size = human_size(check.size) if check.size is not None else "size unknown"
        self.details = QLabel(f"{kind} · {size}", self)
        self.details.setObjectName("filePreviewDetails")
        self.caption = QPlainTextEdit(caption, self)
        self.caption.setObjectName("filePreviewCaption")
        self.caption.setPlaceholderText("Add a caption (optional)")
        self.caption.setTabChangesFocus(True)
        self.caption.setFixedHeight(64)
        self.caption_note = QLabel(
            "The caption follows as a message of its own: this platform does not carry"
            " text with this kind of file.",
            self,
        )
        self.caption_note.setWordWrap(True)
        self.caption_note.setVisible(check.caption_apart and check.refused is None)
        self.reason = QLabel(check.refused or "", self)
        self.reason.setObjectName("filePreviewRefused")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.reason.setVisible(check.refused is not None)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok, self
        )
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText("Send")
        self.send_button.setEnabled(check.refused is None)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._send)
        self.buttons.rejected.connect(self.reject)

        about = QVBoxLayout()
        about.addWidget(self.name)
        about.addWidget(self.details)
        about.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.thumbnail)
        top.addLayout(about, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.reason)
        layout.addWidget(self.caption)
        layout.addWidget(self.caption_note)
        layout.addWidget(self.buttons)
        if check.refused is None:
            self.caption.setFocus()
        else:
            self.caption.setEnabled(False)
            self.cancel_button.setDefault(True)
            self.cancel_button.setFocus()

    def _send(self) -> None:
        if not self.send_button.isEnabled():
            return  # Enter in a refusal's preview sends nothing
        self.accept()
        self.send_requested.emit(self.caption.toPlainText().strip())
