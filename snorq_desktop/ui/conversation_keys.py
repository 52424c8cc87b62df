"""The Conversation menu's actions with their keys (#17.3, #17.7): Snooze (S)
and Close (E), the snooze control in the thread's header and in the row's
right-click menu, and the wake of snoozed conversations when their time comes.

Single letters must never be taken from someone typing: the actions' keys
work only where the focus is on the inbox, the sidebar or the thread (a
WidgetWithChildrenShortcut on those widgets), never in the reply box or the
search field.

Waking: the counts say when the earliest snooze falls due; a timer fires then
(checking at least every minute, so a sleeping laptop or a changed clock
cannot make it miss) and the database wakes what is due, once for the team.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QListView, QMainWindow, QMenu, QToolButton, QWidget

from snorq_desktop.domain.enums import ConversationStatus
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes, ThreadHeader, ViewCounts
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.labels_wiring import WindowLabels
from snorq_desktop.ui.menu_bar import WindowMenus
from snorq_desktop.ui.shortcuts_sheet import add_shortcuts_sheet
from snorq_desktop.ui.snooze_menu import build_snooze_menu, snoozed_text
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.thread_pane import ThreadPane

CHECK_AT_LEAST_EVERY_MS = 60_000
SNOOZE_KEY = "S"
CLOSE_KEY = "E"


class KeyedWindow(Protocol):
    """What of the main window the keys hang from (it makes them: no import)."""

    @property
    def menus(self) -> WindowMenus: ...

    @property
    def thread_pane(self) -> ThreadPane: ...

    @property
    def inbox_view(self) -> QWidget: ...

    @property
    def sidebar(self) -> QListView: ...

    @property
    def labels(self) -> WindowLabels: ...

    @property
    def identity(self) -> Identity | None: ...

    @property
    def counts_shown(self) -> SignalInstance: ...

    def apply_changes(self, changes: Changes) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


class ConversationKeys(QObject):
    """Signals: ``changed(object)``: Changes from a snooze, unsnooze, wake."""

    changed = Signal(object)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        *,
        menu: QMenu,
        pane: ThreadPane,
        key_widgets: list[QWidget],
        selected_ids: Callable[[], list[str]],
        parent: QWidget,
        enabled: bool,
    ) -> None:
        """``key_widgets``: where the single-letter keys work (and their children);
        ``selected_ids``: the conversations chosen in the inbox."""
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._pane = pane
        self._parent = parent
        self._selected_ids = selected_ids
        self.menu: QMenu | None = None  # the snooze menu last shown
        self.snooze_action = self._action("Snooze…", "snoozeAction", SNOOZE_KEY, self.show_menu)
        self.close_action = self._action(
            "Close conversation", "closeConversationAction", CLOSE_KEY, self.close_conversation
        )
        for action in (self.snooze_action, self.close_action):
            action.setEnabled(enabled)
            menu.addAction(action)
            for widget in key_widgets:
                widget.addAction(action)
        self.button = QToolButton(pane)
        self.button.setObjectName("snoozeButton")
        self.button.setText("Snooze")
        self.tip = f"Hide this conversation until a time you choose ({SNOOZE_KEY})"
        self.button.setToolTip(self.tip)
        self.button.setAutoRaise(True)
        self.button.clicked.connect(lambda: self.show_menu(self.button))
        # At the end of the header's label row (its first row of buttons is as
        # wide as a small screen at 200 % allows), else before its buttons.
        labels = pane.label_row.layout() if pane.label_row is not None else None
        if isinstance(labels, QHBoxLayout):
            labels.addWidget(self.button)
        else:
            pane.header_row.insertWidget(1, self.button)
        pane.header_shown.connect(self._header_shown)
        self._wake_timer = QTimer(self)
        self._wake_timer.setSingleShot(True)
        self._wake_timer.timeout.connect(self._check_wake)
        self._next_wake: datetime | None = None

    def _action(self, title: str, name: str, key: str, slot: Callable[[], object]) -> QAction:
        action = QAction(title, self._parent)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _=False: slot())
        return action

    @classmethod
    def for_window(
        cls, window: KeyedWindow, service: InboxService, runner: TaskRunner
    ) -> "ConversationKeys":
        """Made for the main window and wired to it (with the shortcuts sheet)."""
        assert isinstance(window, QMainWindow)
        keys = cls(
            service,
            runner,
            menu=window.menus.conversation,
            pane=window.thread_pane,
            key_widgets=[window.inbox_view, window.thread_pane.view, window.sidebar],
            selected_ids=window.labels.selected_ids,
            parent=window,
            enabled=window.identity is not None,
        )
        window.labels.row_menu_additions.append(keys.add_to_row_menu)
        keys.changed.connect(window.apply_changes)
        window.counts_shown.connect(keys.counts_shown)
        add_shortcuts_sheet(window, window.menus.help)
        return keys

    # --- which conversations ------------------------------------------------------

    def targets(self) -> list[str]:
        """The rows chosen in the inbox, else the open conversation."""
        chosen = self._selected_ids()
        if chosen:
            return chosen
        return [self._pane.conversation_id] if self._pane.conversation_id else []

    def _snoozed(self, conversation_ids: list[str]) -> bool:
        header = self._pane.header
        if header is not None and header.conversation.id in conversation_ids:
            return snoozed_text(header.conversation.snoozed_until, _now()) is not None
        return False

    # --- snoozing ----------------------------------------------------------------------

    def snooze_menu(self, conversation_ids: list[str], parent: QWidget) -> QMenu:
        ids = list(conversation_ids)
        unsnooze = (lambda: self.unsnooze(ids)) if self._snoozed(ids) else None
        return build_snooze_menu(parent, lambda until: self.snooze(ids, until), unsnooze)

    def show_menu(self, at: QWidget | None = None) -> QMenu | None:
        """The snooze menu for the chosen conversations, under the header's
        control (or the focused widget); None when there is nothing to snooze."""
        ids = self.targets()
        if not ids:
            return None
        shown = at or (self.button if self.button.isVisible() else self._parent.focusWidget())
        anchor = shown or self._parent
        self.menu = self.snooze_menu(ids, anchor)
        self.menu.popup(anchor.mapToGlobal(QPoint(0, anchor.height())))
        return self.menu

    def add_to_row_menu(self, menu: QMenu, conversation_ids: list[str]) -> None:
        count = f" {len(conversation_ids)} conversations" if len(conversation_ids) > 1 else ""
        submenu = self.snooze_menu(conversation_ids, menu)
        submenu.setTitle(f"Snooze{count}")
        menu.addMenu(submenu)

    def snooze(self, conversation_ids: list[str], until: datetime) -> None:
        self._runner.run(
            lambda: self._service.snooze.snooze(conversation_ids, until), self.changed.emit
        )

    def unsnooze(self, conversation_ids: list[str]) -> None:
        self._runner.run(lambda: self._service.snooze.unsnooze(conversation_ids), self.changed.emit)

    def close_conversation(self) -> None:
        self._pane.set_status(ConversationStatus.CLOSED)

    def _header_shown(self, header: ThreadHeader) -> None:
        # One short word in the header (it must fit a small screen); the time
        # is in the tooltip and on the row in the Snoozed view.
        text = snoozed_text(header.conversation.snoozed_until, _now())
        self.button.setText("Snoozed" if text else "Snooze")
        self.button.setToolTip(text or self.tip)

    # --- waking -----------------------------------------------------------------------

    def counts_shown(self, counts: ViewCounts) -> None:
        """The counts were read again: they say when the next snooze is due."""
        self._next_wake = counts.next_wake
        self._schedule()

    def _schedule(self) -> None:
        if self._next_wake is None:
            self._wake_timer.stop()
            return
        due_in = (self._next_wake - _now()).total_seconds() * 1000
        self._wake_timer.start(int(min(max(due_in, 0), CHECK_AT_LEAST_EVERY_MS)))

    def _check_wake(self) -> None:
        if self._next_wake is not None and self._next_wake <= _now():
            self._runner.run(self._service.snooze.wake_due, self._woken)
        else:
            self._schedule()

    def _woken(self, changes: Changes) -> None:
        # The counts read after these changes (or after the notice of the
        # teammate's app that woke them first) say the next one.
        self._next_wake = None
        if changes:
            self.changed.emit(changes)
