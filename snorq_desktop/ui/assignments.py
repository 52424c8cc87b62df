"""Who's on it (#17.2) in the window: the chooser that gives a conversation to
a teammate or takes it (the thread header's button, the inbox row's menu and
the A key), the assignee's small avatar on each row, and the desktop
notification when a teammate gives me a conversation."""

from collections.abc import Callable
from functools import partial
from typing import Protocol

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from snorq_desktop.domain.assignments import ASSIGN_SHORTCUT, Teammate, assigned_text
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes, ConversationSummary, ThreadHeader
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.arrivals import Notifier
from snorq_desktop.ui.conversation_delegate import AvatarSource, ConversationDelegate
from snorq_desktop.ui.inbox_model import InboxModel
from snorq_desktop.ui.inbox_view import InboxListView
from snorq_desktop.ui.labels_wiring import WindowLabels
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.teammate_avatar import teammate_icon
from snorq_desktop.ui.thread_pane import ThreadPane
from snorq_desktop.ui.tray import InboxTray

TAKE_IT = "Take it"
UNASSIGNED = "Unassigned"
ASSIGNED_TITLE = "Assigned to you"


class WindowAssignments(QObject):
    """Signals:
    - ``changed(object)``: an assignment was made here (Changes, for the window);
    - ``rows_changed()``: the teammates were (re)loaded: rows repaint their avatars.
    """

    changed = Signal(object)
    rows_changed = Signal()  # who the teammates are is known: repaint the rows

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        window: QWidget,
        identity: Identity | None,
        *,
        avatars: AvatarSource,
        open_conversation: Callable[[], str | None],
        selected: Callable[[], list[str]],
        summary_of: Callable[[str], ConversationSummary | None],
        tray: Notifier,
    ) -> None:
        super().__init__(window)
        self._service = service
        self._runner = runner
        self._window = window
        self._me = identity.user_id if identity else None
        self._avatars = avatars
        self._open_conversation = open_conversation
        self._selected = selected
        self._summary_of = summary_of
        self._tray = tray
        self.teammates: dict[str, Teammate] = {}
        self._asked: set[str] = set()
        self._shown: ConversationSummary | None = None  # the header's conversation
        self.menu: QMenu | None = None  # the chooser last opened (for tests)
        self.button = QToolButton(window)
        self.button.setObjectName("assignButton")
        self.button.setText(UNASSIGNED)
        self.button.setToolTip(
            f"Give this conversation to a teammate, or take it ({ASSIGN_SHORTCUT})"
        )
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.clicked.connect(self.open_chooser)
        self.button.setEnabled(identity is not None)
        # On the window, so it works wherever the focus is (but a text box keeps
        # its letters) and the keyboard shortcuts sheet lists it.
        self.action = QAction("Assign…", window)
        self.action.setObjectName("assignAction")
        self.action.setShortcut(QKeySequence(ASSIGN_SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setStatusTip("Give the open conversation to a teammate, or take it")
        self.action.triggered.connect(self.open_chooser)
        self.action.setEnabled(identity is not None)
        window.addAction(self.action)
        if identity is not None:
            self.reload()

    # --- who -------------------------------------------------------------------------

    def reload(self) -> None:
        self._runner.run(self._service.assignments.teammates, self._teammates_loaded)

    def _teammates_loaded(self, teammates: list[Teammate]) -> None:
        self.teammates = {t.user_id: t for t in teammates}
        self.header_shown(None)
        self.rows_changed.emit()

    def teammate(self, user_id: str) -> Teammate | None:
        found = self.teammates.get(user_id)
        if found is None and user_id not in self._asked:
            self._asked.add(user_id)
            self.reload()  # someone new joined: the row shows them once loaded
        return found

    # --- the chooser -------------------------------------------------------------------

    def header_shown(self, header: ThreadHeader | None) -> None:
        """The open conversation's header (None: show the last one again, the
        teammates being known now): the button says who is on it."""
        if header is not None:
            self._shown = header.conversation
        summary = self._shown
        if summary is None or summary.id != self._open_conversation():
            return
        assignee = self.teammates.get(summary.assignee_id or "")
        self.button.setText(assigned_text(assignee, self._me))
        picture = self._avatars.pixmap(assignee.avatar_url) if assignee else None
        self.button.setIcon(teammate_icon(assignee, picture) if assignee else QIcon())

    def chooser(self, conversation_ids: list[str], parent: QWidget) -> QMenu:
        """Take it, each teammate, or back to Unassigned; the current one ticked."""
        current = {
            s.assignee_id for c in conversation_ids if (s := self._summary_of(c)) is not None
        }
        menu = QMenu("Assign to", parent)
        menu.setObjectName("assignMenu")
        if self._me is not None:
            take = menu.addAction(TAKE_IT, partial(self.assign, conversation_ids, self._me))
            take.setCheckable(True)
            take.setChecked(current == {self._me})
            menu.addSeparator()
        for teammate in self.teammates.values():
            if teammate.user_id == self._me:
                continue
            action = menu.addAction(
                teammate_icon(teammate, self._avatars.pixmap(teammate.avatar_url)),
                teammate.name,
                partial(self.assign, conversation_ids, teammate.user_id),
            )
            action.setCheckable(True)
            action.setChecked(current == {teammate.user_id})
        menu.addSeparator()
        nobody = menu.addAction(UNASSIGNED, partial(self.assign, conversation_ids, None))
        nobody.setCheckable(True)
        nobody.setChecked(current == {None})
        return menu

    def open_chooser(self) -> None:
        """The A key and the header's button: for the open conversation, else the
        selected rows."""
        conversation_id = self._open_conversation()
        ids = [conversation_id] if conversation_id else self._selected()
        if not ids or self._me is None:
            return
        self.reload()  # a teammate may have joined since
        self.menu = self.chooser(ids, self._window)
        if self.button.isVisible():
            at = self.button.mapToGlobal(QPoint(0, self.button.height()))
        else:
            at = self._window.mapToGlobal(self._window.rect().center())
        self.menu.popup(at)

    def add_to_row_menu(self, menu: QMenu, conversation_ids: list[str]) -> None:
        """The inbox row's right-click menu gets "Assign to ▸"."""
        if self._me is not None:
            menu.addMenu(self.chooser(conversation_ids, menu))

    def assign(self, conversation_ids: list[str], assignee_id: str | None) -> None:
        for conversation_id in conversation_ids:
            self._runner.run(
                partial(self._service.assignments.assign, conversation_id, assignee_id),
                self.changed.emit,
            )

    # --- a teammate gave me one --------------------------------------------------------

    def heard(self, changes: Changes) -> None:
        """From another app: a conversation given to me is a desktop notification
        (the notice names it only; its contact is read here, as me)."""
        mine = [c for c, assignee in changes.assignments if assignee == self._me]
        if mine:
            self._runner.run(partial(self._service.summaries, mine), self._notify)

    def _notify(self, summaries: dict[str, ConversationSummary]) -> None:
        for conversation_id, summary in summaries.items():
            if summary.assignee_id == self._me:  # still mine when read
                words = summary.last_message_preview or ""
                self._tray.notify(
                    conversation_id,
                    ASSIGNED_TITLE,
                    f"{summary.contact_name}: {words}" if words else summary.contact_name,
                )


class AssigningWindow(Protocol):
    """What of the main window assignments are wired into (named here, not
    imported: the main window imports this module)."""

    identity: Identity | None
    thread_pane: ThreadPane
    labels: WindowLabels
    inbox: InboxModel
    inbox_view: InboxListView
    inbox_delegate: ConversationDelegate
    tray: InboxTray

    def apply_changes(self, changes: Changes) -> None: ...


def wire_assignments(
    window: AssigningWindow,
    parent: QWidget,
    service: InboxService,
    runner: TaskRunner,
    avatars: AvatarSource,
) -> WindowAssignments:
    """Who's on it in the window: the thread's "Assigned to" button, the row menu's
    "Assign to", the A key, the rows' avatars, the notification.  ``parent``:
    the main window itself, where the A key lives."""
    assignments = WindowAssignments(
        service,
        runner,
        parent,
        window.identity,
        avatars=avatars,
        open_conversation=lambda: window.thread_pane.conversation_id,
        selected=window.labels.selected_ids,
        summary_of=lambda c: window.inbox.summary_at(window.inbox.row_of(c)),
        tray=window.tray,
    )
    # In the label row, at its end (the header's row of buttons is as wide as a
    # small screen at 200 % allows); before its buttons when there is none.
    pane = window.thread_pane
    labels = pane.label_row.layout() if pane.label_row is not None else None
    if isinstance(labels, QHBoxLayout):
        assignments.button.setAutoRaise(True)
        labels.addWidget(assignments.button)
    else:
        pane.header_bar.insertWidget(1, assignments.button)
    window.thread_pane.header_shown.connect(assignments.header_shown)
    window.labels.row_menu_additions.append(assignments.add_to_row_menu)
    window.inbox_delegate.assignee_of = assignments.teammate
    assignments.rows_changed.connect(window.inbox_view.viewport().update)
    assignments.changed.connect(window.apply_changes)
    return assignments
