"""The "Quick replies…" dialog (Team menu): the team's saved answers, to add,
edit and delete.  Each action is one transaction on the worker; the list
follows the window's QuickReplyCatalog, so a teammate's changes show here
too.  Whatever cannot be saved is one sentence under the form."""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.quick_replies import (
    MAX_SHORTCUT,
    QuickReplyRefused,
    clean_shortcut,
    clean_text,
)
from snorq_desktop.domain.template_values import template_values
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.quick_reply_completer import (
    QuickReplyCatalog,
    QuickReplyCompleter,
    preview,
)
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.thread_pane import ThreadPane
from snorq_desktop.ui.window_fit import open_sized

QuickReplyIdRole = Qt.ItemDataRole.UserRole + 1
HINT = (
    "Type / and the shortcut in the reply box to use one. {name} and {first_name} "
    "become the customer's name."
)


class QuickRepliesDialog(QDialog):
    """Signals: ``changed(object)``: the Changes of an action taken here."""

    changed = Signal(object)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        catalog: QuickReplyCatalog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quickRepliesDialog")
        self.setWindowTitle("Quick replies")
        self._service = service
        self._runner = runner
        self._catalog = catalog
        self.list = QListWidget(self)
        self.list.setObjectName("quickReplyList")
        self.shortcut = QLineEdit(self)
        self.shortcut.setObjectName("quickReplyShortcut")
        self.shortcut.setMaxLength(MAX_SHORTCUT + 1)  # room for the slash
        self.shortcut.setPlaceholderText("Shortcut, e.g. /price")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("quickReplyText")
        self.text.setPlaceholderText("Hi {first_name}! Our prices start at 25 € …")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(96)
        self.add_button = QPushButton("Add", self)
        self.save_button = QPushButton("Save changes", self)
        self.delete_button = QPushButton("Delete…", self)
        self.new_button = QPushButton("New", self)
        self.error = QLabel(self)
        self.error.setObjectName("quickReplyError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.error.hide()
        hint = QLabel(HINT, self)
        hint.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        actions = QHBoxLayout()
        for button in (self.add_button, self.save_button, self.delete_button, self.new_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.shortcut)
        layout.addWidget(self.text)
        layout.addLayout(actions)
        layout.addWidget(self.error)
        layout.addWidget(close)
        open_sized(self, 480, 520)

        self.list.currentItemChanged.connect(lambda *_: self._picked())
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        self.new_button.clicked.connect(lambda: self.list.setCurrentRow(-1))
        catalog.changed.connect(self._show)
        self._show()

    # --- showing ----------------------------------------------------------------

    def _show(self) -> None:
        chosen = self.selected_id()
        self.list.blockSignals(True)
        self.list.clear()
        for reply in self._catalog.replies:
            item = QListWidgetItem(f"{reply.typed}   {preview(reply.text)}")
            item.setData(QuickReplyIdRole, reply.id)
            item.setToolTip(reply.text)
            self.list.addItem(item)
            if reply.id == chosen:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if chosen is not None and self.selected_id() is None:
            self._picked()  # deleted meanwhile, by a teammate perhaps
        self._update_buttons()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(QuickReplyIdRole)) if item is not None else None

    def _picked(self) -> None:
        reply = self._catalog.by_id(self.selected_id() or "")
        self.shortcut.setText(reply.typed if reply else "")
        self.text.setPlainText(reply.text if reply else "")
        self.error.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        editing = self._catalog.by_id(self.selected_id() or "") is not None
        self.add_button.setVisible(not editing)
        self.save_button.setVisible(editing)
        self.delete_button.setEnabled(editing)

    # --- acting -----------------------------------------------------------------

    def _checked(self, editing: str | None) -> tuple[str, str] | None:
        """The form as it would be stored, or None with the sentence shown: the
        same refusals the database makes, said before the round trip."""
        try:
            shortcut, text = (
                clean_shortcut(self.shortcut.text()),
                clean_text(self.text.toPlainText()),
            )
            same = self._catalog.by_shortcut(shortcut)
            if same is not None and same.id != editing:
                raise QuickReplyRefused(
                    f"There is already a quick reply /{shortcut}: pick it to change it."
                )
        except QuickReplyRefused as refused:
            self._failed(refused)
            return None
        return shortcut, text

    def _run(self, work: Callable[[], Any], after: Callable[[], None] | None = None) -> None:
        self.error.hide()

        def done(result: Any) -> None:
            self.changed.emit(result[1] if isinstance(result, tuple) else result)
            if after is not None:
                after()

        def refused(error: Exception) -> None:
            self._failed(error)
            self._catalog.reload()  # taken or deleted by a teammate: the list was behind

        self._runner.run(work, done, refused)

    def _failed(self, error: Exception) -> None:
        self.error.setText(error.sentence if isinstance(error, KnownError) else str(error))
        self.error.show()

    def add(self) -> None:
        form = self._checked(None)
        if form is not None:
            shortcut, text = form
            self._run(lambda: self._service.quick_replies.add(shortcut, text), self._added)

    def _added(self) -> None:
        self.shortcut.clear()
        self.text.clear()

    def save(self) -> None:
        reply = self._catalog.by_id(self.selected_id() or "")
        form = self._checked(reply.id if reply else None)
        if reply is not None and form is not None:
            shortcut, text = form
            self._run(lambda: self._service.quick_replies.change(reply.id, shortcut, text))

    def delete(self) -> None:
        reply = self._catalog.by_id(self.selected_id() or "")
        if reply is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete quick reply",
            f"Delete the quick reply {reply.typed} for the whole team?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: self._service.quick_replies.delete(reply.id))


class WindowQuickReplies(QObject):
    """Quick replies in the main window: Team ▸ Quick replies…, the reply box's
    completion, and the list read again when anyone of the team changes it.

    Signals: ``changed(object)``: quick replies were changed here (Changes)."""

    changed = Signal(object)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        menu: QMenu,
        pane: ThreadPane,
        identity: Identity | None,
    ) -> None:
        """``identity`` None: no organisation yet, so no quick replies either."""
        super().__init__(pane)
        self._service = service
        self._runner = runner
        self._enabled = enabled = identity is not None
        self._pane = pane
        self.catalog = QuickReplyCatalog(service, runner, self)
        self.completer = QuickReplyCompleter(pane.composer.editor, self.catalog, self.contact_name)
        pane.composer.completion = self.completer
        pane.template_values = lambda: template_values(self.catalog.replies, self.contact_name())
        self.dialog: QuickRepliesDialog | None = None
        self.action = menu.addAction("Quick replies…")
        self.action.setObjectName("quickRepliesAction")
        self.action.setToolTip("The team's saved answers, typed as / and a shortcut")
        self.action.triggered.connect(self.open_dialog)
        self.action.setEnabled(enabled)
        menu.addSeparator()
        if enabled:
            self.catalog.reload()

    def open_dialog(self) -> QuickRepliesDialog | None:
        if not self._enabled:
            return None
        if self.dialog is None:
            parent = self._pane.window()
            self.dialog = QuickRepliesDialog(self._service, self._runner, self.catalog, parent)
            self.dialog.changed.connect(self.changed.emit)
        self.catalog.reload()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def contact_name(self) -> str | None:
        """The open conversation's contact, once its header is read (else None)."""
        header = self._pane.header
        if header is None or header.conversation.id != self._pane.conversation_id:
            return None
        return header.conversation.contact_name

    def apply_changes(self, changes: Changes) -> None:
        """Here or in a teammate's app: the notice names nothing, the list is read again."""
        if changes.quick_replies:
            self.catalog.reload()
