"""Quick replies in the reply box: "/" at the start of a word offers the team's
shortcuts, each with its text as it would go to the open conversation's
customer; Tab or Enter puts that text in place of what was typed, Esc lets it
be.  Ctrl+Enter still sends (the popup closes first), so the reply box works
as before whether or not the popup is open.

The team's list is one copy for the window (QuickReplyCatalog), read again
when this app or a teammate's changes it."""

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import QApplication, QCompleter, QListView

from snorq_desktop.domain.quick_replies import QuickReply, fill, shortcut_key
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.composer import ReplyEditor
from snorq_desktop.ui.tasks import TaskRunner

ShortcutRole = Qt.ItemDataRole.UserRole + 1
PREVIEW_CHARS = 90
# "/" and what follows it, at the start of the text or after a space.
_TYPED_SHORTCUT = re.compile(r"(?:^|(?<=\s))/[\w-]*$")
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class QuickReplyCatalog(QObject):
    """Signals: ``changed()``: the team's quick replies were read again."""

    changed = Signal()

    def __init__(self, service: InboxService, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.replies: list[QuickReply] = []

    def reload(self) -> None:
        self._runner.run(self._service.quick_replies.all, self._loaded)

    def _loaded(self, replies: list[QuickReply]) -> None:
        self.replies = replies
        self.changed.emit()

    def by_shortcut(self, shortcut: str) -> QuickReply | None:
        key = shortcut_key(shortcut)
        return next((r for r in self.replies if shortcut_key(r.shortcut) == key), None)

    def by_id(self, quick_reply_id: str) -> QuickReply | None:
        return next((r for r in self.replies if r.id == quick_reply_id), None)


def preview(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= PREVIEW_CHARS else words[: PREVIEW_CHARS - 1] + "…"


class QuickReplyCompleter(QObject):
    """``contact_name()``: the open conversation's contact (None: none open)."""

    def __init__(
        self,
        editor: ReplyEditor,
        catalog: QuickReplyCatalog,
        contact_name: Callable[[], str | None],
    ) -> None:
        super().__init__(editor)
        self._editor = editor
        self._catalog = catalog
        self._contact_name = contact_name
        self._filled_for: tuple[int, str | None] | None = None
        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setWidget(editor)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionRole(ShortcutRole)
        self.completer.setMaxVisibleItems(8)
        self.popup = QListView(editor)
        self.popup.setObjectName("quickReplyPopup")
        self.completer.setPopup(self.popup)
        # Installed after the completer's own filter, so it sees the keys first.
        self.popup.installEventFilter(self)
        self.popup.clicked.connect(self.insert)  # after the completer's own: popup closed
        catalog.changed.connect(self._forget_previews)
        editor.typed.connect(self.offer)
        editor.textChanged.connect(self._text_changed)

    # --- offering ----------------------------------------------------------------

    def typed_shortcut(self) -> tuple[int, str] | None:
        """Where the "/…" being typed starts, and what it says so far."""
        cursor = self._editor.textCursor()
        if cursor.hasSelection():
            return None
        before = cursor.block().text()[: cursor.positionInBlock()]
        found = _TYPED_SHORTCUT.search(before)
        if found is None:
            return None
        return cursor.position() - len(found.group(0)), found.group(0)

    def offer(self) -> None:
        typed = self.typed_shortcut()
        if typed is None or self._editor.isReadOnly() or not self._catalog.replies:
            self.popup.hide()
            return
        self._fill_previews()
        self.completer.setCompletionPrefix(typed[1])
        if self.completer.completionCount() == 0:
            self.popup.hide()
            return
        at = self._editor.cursorRect()
        width = max(self._editor.viewport().width(), 280)
        self.completer.complete(QRect(0, at.top(), width, at.height()))
        self.popup.setCurrentIndex(self.completer.completionModel().index(0, 0))

    def _forget_previews(self) -> None:
        self._filled_for = None
        if self.popup.isVisible():
            self.offer()

    def _fill_previews(self) -> None:
        contact = self._contact_name()
        if self._filled_for == (id(self._catalog.replies), contact):
            return
        self._filled_for = (id(self._catalog.replies), contact)
        self.model.clear()
        for reply in self._catalog.replies:
            filled = fill(reply.text, contact)
            item = QStandardItem(f"{reply.typed}   {preview(filled)}")
            item.setData(reply.typed, ShortcutRole)
            item.setToolTip(filled)
            item.setEditable(False)
            self.model.appendRow(item)

    def _text_changed(self) -> None:
        # Another conversation's draft, a send, an insert: the popup follows the text.
        if self.popup.isVisible():
            self.offer()

    # --- choosing ----------------------------------------------------------------

    def insert(self, index: QModelIndex | QPersistentModelIndex | None = None) -> None:
        """The chosen (else the first offered) quick reply in place of the "/…"."""
        if index is None or not index.isValid():
            index = self.completer.completionModel().index(0, 0)
        self.popup.hide()
        reply = self._catalog.by_shortcut(str(index.data(ShortcutRole) or ""))
        typed = self.typed_shortcut()
        if reply is None or typed is None:
            return
        cursor = self._editor.textCursor()
        cursor.setPosition(typed[0], QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(fill(reply.text, self._contact_name()))
        self._editor.setTextCursor(cursor)

    def is_open(self) -> bool:
        return self.popup.isVisible()

    def handle_key(self, event: QKeyEvent) -> bool:
        """A key while the popup is open: True when it was the popup's (Tab, Enter,
        Esc).  Ctrl+Enter closes the popup and is left to the reply box (send)."""
        if not self.popup.isVisible():
            return False
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_Escape:
            self.popup.hide()
            return True
        if key in (Qt.Key.Key_Tab, *_ENTER) and not ctrl:
            self.insert(self.popup.currentIndex())
            return True
        if key in _ENTER:
            self.popup.hide()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.popup and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self.handle_key(event):
                return True
            if event.key() in _ENTER:  # Ctrl+Enter: to the reply box, which sends
                again = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text())
                QApplication.sendEvent(self._editor, again)
                return True
        return super().eventFilter(watched, event)
