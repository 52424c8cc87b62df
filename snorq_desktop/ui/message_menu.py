"""The thread's right-click menus.  On a message (or Shift+F10 in the thread,
for the newest message): Reply, and React to a customer's message with a few
emoji or take ours off; an entry the platform does not allow stays in the menu,
greyed, saying why.  Ctrl+Shift+R answers the customer's newest message.  On
one's own internal note: edit or delete it."""

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QInputDialog, QListView, QMenu, QMessageBox, QWidget

from snorq_desktop.domain.enums import MessageDirection, Platform
from snorq_desktop.domain.inbox import ThreadHeader, ThreadMessage
from snorq_desktop.domain.message_actions import (
    REACTION_CHOICES,
    reaction_refusal,
    reply_refusal,
)
from snorq_desktop.domain.notes import ThreadNote
from snorq_desktop.ui.thread_model import ThreadModel


class MenuHost(Protocol):
    """What the menus need of the thread pane (which holds them)."""

    view: QListView
    header: ThreadHeader | None

    @property
    def model(self) -> ThreadModel: ...

    @property
    def notes_author_id(self) -> str | None: ...

    def reply_to(self, message: ThreadMessage) -> None: ...

    def react(self, message: ThreadMessage, emoji: str) -> None: ...

    def edit_note(self, note_id: str, text: str) -> None: ...

    def delete_note(self, note_id: str) -> None: ...


REMOVE_REACTION = "Remove my reaction"


def message_menu(
    parent: QWidget,
    message: ThreadMessage,
    platform: Platform,
    *,
    reply: Callable[[ThreadMessage], None],
    react: Callable[[ThreadMessage, str], None],
) -> QMenu:
    menu = QMenu(parent)
    menu.setObjectName("messageMenu")
    menu.setToolTipsVisible(True)
    answer = menu.addAction("Reply")
    answer.setShortcut("Ctrl+Shift+R")  # shown beside it: the newest customer message
    if reason := reply_refusal(platform, message):
        answer.setEnabled(False)
        answer.setText(f"Reply ({reason.rstrip('.')})")
        answer.setToolTip(reason)
    else:
        answer.triggered.connect(lambda: reply(message))
    reactions = menu.addMenu("React")
    reactions.setObjectName("reactMenu")
    reactions.setToolTipsVisible(True)
    if reason := reaction_refusal(platform, message):
        reactions.setEnabled(False)
        reactions.setTitle(f"React ({reason.rstrip('.')})")
        reactions.setToolTip(reason)
        return menu
    for emoji in REACTION_CHOICES:
        choice = reactions.addAction(emoji)
        choice.setCheckable(True)
        choice.setChecked(message.my_reaction == emoji)
        choice.triggered.connect(lambda _=False, e=emoji: react(message, e))
    if message.my_reaction:
        reactions.addSeparator()
        reactions.addAction(REMOVE_REACTION).triggered.connect(lambda: react(message, ""))
    return menu


class ThreadMenus(QObject):
    """Wired to the thread pane's view; ``menu`` is the one shown last."""

    def __init__(self, pane: MenuHost, widget: QWidget) -> None:
        """``widget``: the pane itself, as the parent of menus, dialogs, the shortcut."""
        super().__init__(widget)
        self._pane = pane
        self._widget = widget
        self.menu: QMenu | None = None
        view = pane.view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._requested)
        view.installEventFilter(self)
        newest = QShortcut(QKeySequence("Ctrl+Shift+R"), widget)
        newest.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        newest.activated.connect(self.reply_to_newest)

    def _requested(self, position: QPoint) -> None:
        row = self._pane.view.indexAt(position).row()
        if (message := self._pane.model.message_at(row)) is not None:
            self._show(self.for_message(message), position)
        elif (note := self._pane.model.note_at(row)) is not None:
            self._note_menu(note, position)

    def _show(self, menu: QMenu | None, position: QPoint) -> None:
        if menu is not None:
            self.menu = menu
            menu.popup(self._pane.view.viewport().mapToGlobal(position))

    def for_message(self, message: ThreadMessage) -> QMenu | None:
        """Its menu, or None while the conversation's header is still loading."""
        header = self._pane.header
        if header is None:
            return None
        return message_menu(
            self._widget,
            message,
            header.conversation.platform,
            reply=self._pane.reply_to,
            react=self._pane.react,
        )

    def _messages(self) -> list[ThreadMessage]:
        model = self._pane.model
        found = (model.message_at(row) for row in range(model.rowCount()))
        return [m for m in found if m is not None]

    def reply_to_newest(self) -> None:
        """Ctrl+Shift+R: answer the customer's newest message that can be answered."""
        header = self._pane.header
        if header is None:
            return
        platform = header.conversation.platform
        for message in reversed(self._messages()):
            if message.direction is MessageDirection.INBOUND:
                if reply_refusal(platform, message) is None:
                    self._pane.reply_to(message)
                return

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._pane.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if event.key() == Qt.Key.Key_F10 and shift:
                self._keyboard_menu()
                return True
        return super().eventFilter(watched, event)

    def _keyboard_menu(self) -> None:
        view = self._pane.view
        message = self._pane.model.message_at(view.currentIndex().row())
        if message is None and (messages := self._messages()):
            message = messages[-1]
        if message is None:
            return
        model = self._pane.model
        row = next(r for r in range(model.rowCount()) if model.message_at(r) is message)
        self._show(self.for_message(message), view.visualRect(model.index(row)).center())

    # --- internal notes -------------------------------------------------------------

    def _note_menu(self, note: ThreadNote, position: QPoint) -> None:
        """One's own note: edit or delete it."""
        if note.author_id != self._pane.notes_author_id:
            return
        menu = QMenu(self._widget)
        menu.addAction("Edit note…").triggered.connect(lambda: self._ask_edit(note))
        menu.addAction("Delete note…").triggered.connect(lambda: self._ask_delete(note))
        self._show(menu, position)

    def _ask_edit(self, note: ThreadNote) -> None:
        text, ok = QInputDialog.getMultiLineText(
            self._widget, "Edit note", "Internal note:", note.content
        )
        if ok and text.strip() and text.strip() != note.content:
            self._pane.edit_note(note.id, text)

    def _ask_delete(self, note: ThreadNote) -> None:
        answer = QMessageBox.question(
            self._widget,
            "Delete note",
            "Delete this internal note? Your teammates will no longer see it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._pane.delete_note(note.id)
