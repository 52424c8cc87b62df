"""Where a reply is written.  Ctrl+Enter sends (or Enter, if the user prefers);
when the conversation's connection cannot send, the box is disabled and says why.

The "Internal note" tab turns the box yellow and its button into "Add note": what
is written then goes to the team's notes, never to the customer.  The text and
the tab belong to the open conversation (ui/drafts.py keeps them with it), so
moving to another conversation never sends one customer's reply to another, nor
turns a note into a reply.
"""

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.ui.reply_bar import ReplyBar, ReplyTarget

SEND_WITH_CTRL_ENTER = "ctrl+enter"
SEND_WITH_ENTER = "enter"
NOTE_EDITOR_STYLE = (
    "QPlainTextEdit { background: #fff4c4; color: #3a2f00; border: 2px solid #e0b100;"
    " border-radius: 4px; }"
)
NOTE_BUTTON_STYLE = (
    "QPushButton { background: #e0b100; color: #3a2f00; font-weight: 600;"
    " border-radius: 4px; padding: 4px 12px; }"
    " QPushButton:disabled { background: #f3e3a1; color: #8a7a40; }"
)


class ReplyEditor(QPlainTextEdit):
    """The reply box's text field.  Files dropped on it, or an image pasted into
    it, are handed over (to be shown before sending) instead of becoming text.

    Signals: ``files_given(list)``: local files dropped or pasted (Paths);
    ``image_pasted(QImage)``: an image from the clipboard; ``typed()``: a key
    the person pressed was handled (what they type, not text set by the app)."""

    files_given = Signal(list)
    image_pasted = Signal(QImage)
    typed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.takes_files = True  # False: a note, or a connection that cannot send

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        super().keyPressEvent(event)
        self.typed.emit()

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802
        if self.takes_files and (_local_files(source) or source.hasImage()):
            return True
        return super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        if self.takes_files:
            if files := _local_files(source):
                self.files_given.emit(files)
                return
            if source.hasImage():
                image = source.imageData()
                if isinstance(image, QImage) and not image.isNull():
                    self.image_pasted.emit(image)
                    return
        super().insertFromMimeData(source)


def _local_files(source: QMimeData) -> list[Path]:
    if not source.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in source.urls() if url.isLocalFile()]


class Completion(Protocol):
    """What offers completions in the box (ui/quick_reply_completer.py)."""

    def is_open(self) -> bool: ...

    def handle_key(self, event: QKeyEvent) -> bool: ...


class Composer(QWidget):
    """Signals:
    - ``send_requested(str)``: the text to send (never blank);
    - ``attach_requested()``: the person wants to send a file (the text, if any,
      is offered as its caption in the preview);
    - ``files_given(list)``: files dropped on the box or pasted into it (Paths);
    - ``image_pasted(QImage)``: an image pasted into the box;
    - ``template_requested()``: the person wants to send a WhatsApp template;
    - ``note_requested(str)``: the text of an internal note to add (never blank);
    - ``reconnect_requested()``: the person wants to reconnect the blocked connection;
    - ``reply_target_changed()``: a message to answer was chosen or let go.
    """

    send_requested = Signal(str)
    attach_requested = Signal()
    files_given = Signal(list)
    image_pasted = Signal(QImage)
    template_requested = Signal()
    note_requested = Signal(str)
    reconnect_requested = Signal()
    reply_target_changed = Signal()

    def __init__(self, send_key: str = SEND_WITH_CTRL_ENTER, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.send_key = send_key
        self.editor = ReplyEditor(self)
        self.editor.setObjectName("composerEditor")
        self.editor.files_given.connect(self.files_given.emit)
        self.editor.image_pasted.connect(self.image_pasted.emit)
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(74)
        self.editor.installEventFilter(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.attach_button = QPushButton("Attach…", self)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setToolTip("Send a photo, video, voice note or document")
        self.attach_button.clicked.connect(self.attach_requested.emit)
        self.template_button = QPushButton("Send a template…", self)
        self.template_button.setObjectName("templateButton")
        self.template_button.clicked.connect(self.template_requested.emit)
        self.template_button.hide()
        self.reason = QLabel(self)
        self.reason.setObjectName("replyBlockedReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.reason.hide()
        self.reply_tab = QPushButton("Reply", self)
        self.reply_tab.setObjectName("replyTab")
        self.note_tab = QPushButton("🔒 Internal note", self)
        self.note_tab.setObjectName("noteTab")
        self.note_tab.setToolTip("Only your team sees notes; they are never sent to the customer.")
        tabs = QButtonGroup(self)
        for tab in (self.reply_tab, self.note_tab):
            tab.setCheckable(True)
            tab.setFlat(True)
            tabs.addButton(tab)
        self.reply_tab.setChecked(True)
        self.note_tab.toggled.connect(self._mode_changed)
        tab_row = QHBoxLayout()
        tab_row.setSpacing(2)
        tab_row.addWidget(self.reply_tab)
        tab_row.addWidget(self.note_tab)
        tab_row.addStretch(1)
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
        buttons = QVBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.send_button)
        row.addLayout(buttons)
        self.buttons = buttons  # beside Send: features add theirs (ui/send_later.py)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 10)
        layout.addLayout(tab_row)
        layout.addLayout(blocked_row)
        layout.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.reply_bar = ReplyBar(self)
        self.reply_bar.cancelled.connect(lambda: self.set_reply_target(None))
        self._reply_target: ReplyTarget | None = None
        layout.addWidget(self.reply_bar)
        layout.addLayout(row)
        self.editor.textChanged.connect(self._update_button)
        self._blocked: str | None = None
        self._template_only = False
        self.completion: Completion | None = None  # its keys come before sending
        self._update_placeholder()
        self._update_button()

    @property
    def note_mode(self) -> bool:
        return self.note_tab.isChecked()

    def set_note_mode(self, on: bool) -> None:
        (self.note_tab if on else self.reply_tab).setChecked(True)

    def _mode_changed(self, note: bool) -> None:
        self.editor.setStyleSheet(NOTE_EDITOR_STYLE if note else "")
        self.send_button.setStyleSheet(NOTE_BUTTON_STYLE if note else "")
        self.send_button.setText("Add note" if note else "Send")
        self.note_tab.setStyleSheet(NOTE_BUTTON_STYLE if note else "")
        self._show_blocked()
        self._update_placeholder()
        self._update_button()

    def _update_placeholder(self) -> None:
        key = "Ctrl+Enter" if self.send_key == SEND_WITH_CTRL_ENTER else "Enter"
        if self.note_mode:
            self.editor.setPlaceholderText(
                f"Internal note: only your team sees it, never the customer ({key} adds it)"
            )
        else:
            self.editor.setPlaceholderText(f"Write a reply… ({key} sends)")

    def set_blocked(
        self, reason: str | None, *, template_only: bool = False, can_reconnect: bool = False
    ) -> None:
        """None: replies can be sent; else why not, shown above the box, with a
        Reconnect… link when the cause is the connection.  ``template_only``: only
        a WhatsApp template can go out (its button shows)."""
        self.reconnect_button.setVisible(reason is not None and can_reconnect)
        self._blocked = reason
        self._template_only = template_only and reason is not None
        self._show_blocked()
        self._update_button()

    def _show_blocked(self) -> None:
        # Notes never reach the platform: a connection that cannot send does not stop them.
        blocked = self._blocked if not self.note_mode else None
        self.reason.setText(blocked or "")
        self.reason.setVisible(blocked is not None)
        self.editor.setReadOnly(blocked is not None)
        self.template_button.setVisible(self._template_only and not self.note_mode)

    @property
    def reply_target(self) -> ReplyTarget | None:
        return self._reply_target

    def set_reply_target(self, target: ReplyTarget | None) -> None:
        """The message the next reply answers (None: none), shown above the box."""
        if target == self._reply_target:
            return
        self._reply_target = target
        self.reply_bar.show_target(target)
        self.reply_target_changed.emit()

    def take_reply_target(self, conversation_id: str) -> ReplyTarget | None:
        """The target for a reply being sent to ``conversation_id``, let go; a target
        of another conversation is never handed out."""
        target = self._reply_target
        self.set_reply_target(None)
        return target if target is not None and target.conversation_id == conversation_id else None

    @property
    def blocked_reason(self) -> str | None:
        return self._blocked

    def _update_button(self) -> None:
        self.send_button.setEnabled(
            (self._blocked is None or self.note_mode) and bool(self.editor.toPlainText().strip())
        )
        self.attach_button.setEnabled(self._blocked is None and not self.note_mode)
        self.editor.takes_files = self.attach_button.isEnabled()

    def send(self) -> None:
        text = self.editor.toPlainText().strip()
        if not text:
            return
        if self.note_mode:
            self.editor.clear()
            self.note_requested.emit(text)
            return
        if self._blocked is not None:
            return
        self.editor.clear()
        self.send_requested.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.editor and event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            completing = self.completion is not None and self.completion.is_open()
            if event.key() == Qt.Key.Key_Escape and (self._reply_target or completing):
                event.accept()  # Escape lets go of the quote before any window shortcut
                return True
        if watched is self.editor and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self.completion is not None and self.completion.handle_key(event):
                return True
            if event.key() == Qt.Key.Key_Escape and self._reply_target is not None:
                self.set_reply_target(None)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                wants_send = ctrl if self.send_key == SEND_WITH_CTRL_ENTER else not shift
                if wants_send:
                    self.send()
                    return True
        return super().eventFilter(watched, event)
