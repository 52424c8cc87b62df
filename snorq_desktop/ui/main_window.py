"""The window a shop owner keeps open all day: views, inbox, thread."""

import itertools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import (
    Changes,
    InboxQuery,
    InboxView,
    ViewCounts,
)
from snorq_desktop.domain.team_notice import read_notice
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.arrivals import announce_arrivals
from snorq_desktop.ui.assignments import wire_assignments
from snorq_desktop.ui.business_hours_dialog import WindowBusinessHours
from snorq_desktop.ui.composer import SEND_WITH_CTRL_ENTER
from snorq_desktop.ui.conversation_delegate import AvatarSource, ConversationDelegate
from snorq_desktop.ui.conversation_keys import ConversationKeys
from snorq_desktop.ui.inbox_hold import InboxHold
from snorq_desktop.ui.inbox_model import ConversationIdRole, InboxModel
from snorq_desktop.ui.inbox_view import FOCUS_RING, InboxListView
from snorq_desktop.ui.label_actions import LabelActions
from snorq_desktop.ui.label_catalog import LabelCatalog
from snorq_desktop.ui.labels_wiring import WindowLabels
from snorq_desktop.ui.menu_bar import build_menu_bar
from snorq_desktop.ui.offline_banner import DatabaseBanner
from snorq_desktop.ui.quick_replies_dialog import WindowQuickReplies
from snorq_desktop.ui.quick_switcher import QuickSwitcher
from snorq_desktop.ui.reply_clocks import WindowReplyClocks
from snorq_desktop.ui.sidebar import Sidebar
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.thread_pane import TemplateSource, ThreadPane
from snorq_desktop.ui.tray import InboxTray
from snorq_desktop.ui.view_split import ViewSplitBar
from snorq_desktop.ui.window_fit import keep_on_screen, restore_layout, save_layout, window_title


class MainWindow(QMainWindow):
    """Signals:
    - ``counts_shown(object)``: the sidebar's counts were refreshed (ViewCounts);
    - ``left_database(str)``: the data moved to this team database; nothing more
      may be written to the one this window works on.
    """

    counts_shown = Signal(object)
    left_database = Signal(str)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        window_state: QSettings,
        identity: Identity | None,
        *,
        title_suffix: str = "",
        avatars: AvatarSource | None = None,
        send_key: str = SEND_WITH_CTRL_ENTER,
        files_folder: Path | None = None,
        template_source: TemplateSource | None = None,
        confirm_close: Callable[[int], bool] | None = None,
    ) -> None:
        """The features that hang from the menu bar add their actions to
        ``menus`` (File, View, Labels, Team, made here in that order).
        ``confirm_close``: asked, with how many of my replies are still sending,
        whether to close anyway (None: close without asking)."""
        super().__init__()
        self._service = service
        self._runner = runner
        self._state = window_state
        self._confirm_close = confirm_close
        self._closing_for_good = False
        self.identity = identity
        name = identity.organization_name if identity else "no organisation yet"
        self.setWindowTitle(window_title(f"{name}{title_suffix}"))
        self.setObjectName("mainWindow")
        self.setStyleSheet(FOCUS_RING)
        self.menus = build_menu_bar(self)

        self.sidebar = Sidebar(self)
        self.search = QLineEdit(self)
        self.search.setObjectName("inboxSearch")
        self.search.setPlaceholderText("Search names and messages")
        self.search.setClearButtonEnabled(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # "busy": a page is on its way
        self.progress.setFixedHeight(3)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.inbox = InboxModel(service, runner, parent=self)
        self.inbox_view = InboxListView(self)
        self.inbox_view.setModel(self.inbox)
        self.inbox_delegate = ConversationDelegate(
            avatars,
            parent=self.inbox_view,
            has_draft=lambda conversation: self.thread_pane.drafts.has_draft(conversation),
        )
        self.inbox_view.setItemDelegate(self.inbox_delegate)
        self.inbox_hold = InboxHold(self.inbox_view, self.inbox)
        self.empty_inbox = QLabel(self)
        self.empty_inbox.setObjectName("emptyInbox")
        self.empty_inbox.setWordWrap(True)
        self.empty_inbox.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_inbox.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_inbox.setMargin(24)
        self.empty_inbox.hide()
        inbox_column = QWidget(self)
        column = QVBoxLayout(inbox_column)
        column.setContentsMargins(8, 8, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.search)
        self.view_split = ViewSplitBar(self)  # Unread / Waiting for us / for them
        column.addWidget(self.view_split)
        column.addWidget(self.progress)
        column.addWidget(self.inbox_view, 1)
        column.addWidget(self.empty_inbox)
        self.label_catalog = LabelCatalog(service, runner, self)
        self.label_actions = LabelActions(service, runner, self.label_catalog, self)
        self.thread_pane = ThreadPane(
            service,
            runner,
            self,
            label_actions=self.label_actions,
            send_key=send_key,
            files_folder=files_folder,
            template_source=template_source,
        )

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(inbox_column)
        self.splitter.addWidget(self.thread_pane)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([170, 340, 560])
        self.banner = DatabaseBanner(runner, service.ping, self._caught_up, self)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter, 1)
        self.banners = outer  # where features put their banners, above the columns
        self.setCentralWidget(central)
        self.resize(1180, 760)

        self.switcher = QuickSwitcher(service, runner, self)
        self.tray = InboxTray(self)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(150)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._apply_query)
        self._current_leaving = False
        self.labels = WindowLabels(
            service,
            runner,
            self.label_catalog,
            self.label_actions,
            inbox_view=self.inbox_view,
            inbox=self.inbox,
            sidebar=self.sidebar,
            menu=self.menus.labels,
            rows=(self.inbox_delegate, self.switcher.row_painter),
            enabled=identity is not None,
            dialog_parent=self,
        )
        team = self.menus.team
        self.quick_replies = WindowQuickReplies(service, runner, team, self.thread_pane, identity)
        self.reply_clocks = WindowReplyClocks(
            self,
            clock=self.thread_pane.window_clock,
            rows=self.inbox_view.viewport(),
            refresh_counts=self.refresh_counts,
            current_view=self.sidebar.current_view,
            reload_inbox=self._apply_query,
        )
        self.assignments = wire_assignments(self, self, service, runner, avatars or AvatarSource())
        self.business_hours = WindowBusinessHours(service, runner, team, self, identity)
        self.conversation_keys = ConversationKeys.for_window(self, service, runner)
        conversation = self.menus.conversation  # Assign… first, where A is found
        conversation.insertAction(conversation.actions()[0], self.assignments.action)
        self._wire()
        self._tab_order()
        restore_layout(self, self.splitter, self._state)
        if identity is None:
            self._show_no_organisation()
        else:
            self._apply_query()
            self.refresh_counts()
            self.thread_pane.drafts.load_written()

    # --- wiring -------------------------------------------------------------------

    def _wire(self) -> None:
        self.sidebar.view_chosen.connect(lambda _: self._apply_query())
        self.view_split.split_chosen.connect(lambda _: self._apply_query())
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.inbox_view.selectionModel().currentChanged.connect(self._current_changed)
        self.inbox.row_leaving.connect(self._row_leaving)
        self.inbox.rowsRemoved.connect(self._row_left)
        self.inbox.loading_changed.connect(self.progress.setVisible)
        self.inbox.page_loaded.connect(self._page_loaded)
        self.thread_pane.changed.connect(self.apply_changes)
        self.labels.changed.connect(self.apply_changes)
        self.quick_replies.changed.connect(self.apply_changes)
        self.business_hours.changed.connect(self.apply_changes)
        self.thread_pane.drafts.written_changed.connect(self.inbox_view.viewport().update)
        self.counts_shown.connect(lambda _: self.label_catalog.reload())
        self.switcher.conversation_chosen.connect(
            lambda chosen: self.open_to_reply(chosen, self.switcher.results.query.search)
        )
        # Enter on a row: the next keys are the reply.
        self.inbox_view.activated.connect(lambda _: self.focus_reply())
        self.tray.conversation_clicked.connect(self._from_notification)
        self.tray.show_requested.connect(self._bring_to_front)
        self._runner.failed.connect(lambda sentence: self.statusBar().showMessage(sentence, 8000))
        shortcuts = {  # what each does, as Help ▸ Keyboard shortcuts… lists it
            "Ctrl+K": (self.switcher.open_switcher, "Go to a conversation"),
            "Alt+Down": (lambda: self.move_selection(1), "Next conversation"),
            "Alt+Up": (lambda: self.move_selection(-1), "Previous conversation"),
            "Ctrl+F": (self.search.setFocus, "Search names and messages"),
            "Esc": (self.clear_search, "Clear the search"),
        }
        for keys, (action, said) in shortcuts.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setWhatsThis(said)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)

    def _tab_order(self) -> None:
        """search → list → thread → reply box → Send, then the rest."""
        pane, composer = self.thread_pane, self.thread_pane.composer
        chain = [self.search, self.inbox_view, pane.view, composer.editor, composer.send_button]
        chain += [composer.attach_button, composer.reply_tab, composer.note_tab, self.sidebar]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- the inbox ----------------------------------------------------------------

    def query(self) -> InboxQuery:
        return InboxQuery(
            view=self.sidebar.current_view(),
            search=self.search.text().strip(),
            label_id=self.sidebar.current_label(),
            split=self.view_split.current(),
        )

    def _apply_query(self) -> None:
        if self.identity is None:
            return
        query = self.query()
        if query.search != self.inbox.query.search:
            # The open thread marks what is searched now; a cleared search, nothing.
            self.thread_pane.show_matches(query.search, seek=False)
        self.inbox.set_query(query)

    def _page_loaded(self, rows: int) -> None:
        empty = rows == 0
        self.empty_inbox.setVisible(empty)
        if empty:
            if self.search.text().strip():
                self.empty_inbox.setText(f"No conversation matches “{self.search.text().strip()}”.")
            else:
                self.empty_inbox.setText("Nothing here. New conversations show up as they arrive.")
        # Keep the open conversation selected when it is in the new list.
        open_id = self.thread_pane.conversation_id
        if open_id is not None and not self.inbox_view.currentIndex().isValid():
            row = self.inbox.row_of(open_id)
            if row >= 0:
                self.inbox_view.selectionModel().setCurrentIndex(
                    self.inbox.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )

    def clear_search(self) -> None:
        self.thread_pane.show_matches("")  # Esc: no words marked (the switcher's too)
        if self.search.text():
            self.search.clear()
            self._apply_query()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # When the open conversation leaves the list (closed, archived), Qt moves the
        # current row to a neighbour; opening that would mark it read unasked.
        if current.isValid() and not self._current_leaving:
            conversation_id = current.data(ConversationIdRole)
            opening = conversation_id != self.thread_pane.conversation_id
            self.thread_pane.open(conversation_id)
            if opening and (searched := self.inbox.query.search):
                # A search result: its thread opens on the message that matched.
                self.thread_pane.show_matches(searched)

    def _row_leaving(self, row: int) -> None:
        self._current_leaving = row == self.inbox_view.currentIndex().row()

    def _row_left(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._current_leaving:
            self._current_leaving = False
            self.inbox_view.selectionModel().clear()

    def move_selection(self, step: int) -> None:
        row = self.inbox_view.currentIndex().row() + step
        if row >= self.inbox.rowCount() and self.inbox.canFetchMore():
            self.inbox.fetchMore()
        if 0 <= row < self.inbox.rowCount():
            index = self.inbox.index(row)
            self.inbox_view.setCurrentIndex(index)
            self.inbox_view.scrollTo(index)

    def focus_reply(self) -> None:
        self.thread_pane.composer.editor.setFocus()

    def open_to_reply(self, conversation_id: str, searched: str = "") -> None:
        """Open it and put the focus in its reply box (the switcher, Enter on a row);
        found by ``searched``: on the message that matched."""
        self.open_conversation(conversation_id)
        self.focus_reply()
        if searched.strip():
            self.thread_pane.show_matches(searched)

    def open_conversation(self, conversation_id: str) -> None:
        """Open it, and select it in the inbox, showing All if the current view hides it."""
        row = self.inbox.row_of(conversation_id)
        if row >= 0:
            self.inbox_view.setCurrentIndex(self.inbox.index(row))
            self.inbox_view.scrollTo(self.inbox.index(row))
            return
        self.thread_pane.open(conversation_id)  # selected by _page_loaded once listed
        if (
            self.sidebar.current_view() is not InboxView.ALL
            or self.sidebar.current_label()
            or self.search.text()
        ):
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.sidebar.setCurrentIndex(self.sidebar.views.index(0, 0))
            self._apply_query()

    # --- changes from anywhere ------------------------------------------------------

    def apply_changes(self, changes: Changes) -> None:
        if not changes:
            return
        self.labels.labels_changed(changes)
        self.quick_replies.apply_changes(changes)
        self.business_hours.apply_changes(changes)
        self.inbox.apply_changes(changes)
        self.thread_pane.apply_changes(changes)
        if changes.connections:  # here or in a teammate's app
            self.connection_states_changed()
        self._counts_timer.start()
        announce_arrivals(
            changes,
            open_id=self.thread_pane.conversation_id,
            in_front=self.isActiveWindow(),
            service=self._service,
            runner=self._runner,
            inbox=self.inbox,
            tray=self.tray,
            apply_changes=self.apply_changes,
        )

    def refresh_counts(self) -> None:
        if self.identity is None:
            return
        self._runner.run(self._service.counts, self._show_counts)

    def _show_counts(self, counts: ViewCounts) -> None:
        self.sidebar.show_counts(counts)
        self.tray.set_unread(counts.unread_messages)
        self.counts_shown.emit(counts)

    def _from_notification(self, conversation_id: str) -> None:
        self._bring_to_front()
        self.open_conversation(conversation_id)

    def _bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    # --- the rest of the team -----------------------------------------------------------

    def on_team_notice(self, payload: str) -> None:
        """Another app changed something: refresh only that.  This app's own
        changes (its sync engine's too) came through apply_changes already."""
        organization, origin, changes = read_notice(payload)
        if organization != self._service.organization_id or origin == self._service.origin:
            return
        if changes is None:
            self.catch_up()
        else:
            self.assignments.heard(changes)
            self.apply_changes(changes)

    def catch_up(self) -> None:
        """After a gap in listening: what was said meanwhile was not heard."""
        if self.identity is None:
            return
        self._apply_query()
        self.refresh_counts()

    # --- offline ------------------------------------------------------------------

    def database_moved(self, where: str) -> None:
        """The team's data now lives elsewhere: nothing more is written here (it
        would never reach the team database); the banner says to reopen."""
        self.left_database.emit(where)
        self.banner.moved(where)
        self.thread_pane.stop_writing(
            "Replies wait for the team database: close and reopen SNORQ Desktop."
        )

    def _caught_up(self) -> None:
        """The database answers again: replies written offline, then everything
        that may have moved meanwhile."""
        self._runner.run(self._service.store_journalled_replies, self.apply_changes)
        self._apply_query()
        self.refresh_counts()

    def _show_no_organisation(self) -> None:
        self.inbox_view.hide()
        self.search.setEnabled(False)
        self.empty_inbox.setText(
            "There are no conversations here yet. Connecting WhatsApp, Messenger and TikTok "
            "comes with signing in; to look around first, start SNORQ Desktop with --demo."
        )
        self.empty_inbox.show()

    # --- remembering the layout ----------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not event.spontaneous():  # inside the screen, whatever size was remembered
            keep_on_screen(self)

    def save_state(self) -> None:
        save_layout(self, self.splitter, self._state)

    def connection_states_changed(self) -> None:
        """Reconnected, disconnected, deleted (Team ▸ Connections…, here or in a
        teammate's app) or found expired: the reply box, the thread's notice and the
        rows show the new state without reopening."""
        self.thread_pane.connection_states_changed()
        self.inbox.forget_summaries()

    def close_without_asking(self) -> None:
        """Close, whatever is still sending (the app is ending anyway)."""
        self._closing_for_good = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        asking = self._confirm_close is not None and not self._closing_for_good
        if asking and self.isVisible() and self.identity is not None:
            assert self._confirm_close is not None
            unsent = self._runner.answer(self._service.unsent_replies) or 0
            if unsent and not self._confirm_close(unsent):
                event.ignore()
                return
        self.thread_pane.drafts.save_now(wait=True)  # before the worker ends
        self.save_state()
        self.tray.icon.hide()
        super().closeEvent(event)
