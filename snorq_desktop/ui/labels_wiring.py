"""Labels in the main window: the catalog everyone paints from, the inbox's
multi-select "Label ▸" menu, the sidebar's label views and the Labels… dialog."""

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QMenu

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.conversation_delegate import ConversationDelegate
from snorq_desktop.ui.inbox_model import ConversationIdRole
from snorq_desktop.ui.label_manager import LabelManager
from snorq_desktop.ui.menu_bar import menu_named
from snorq_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from snorq_desktop.ui.main_window import MainWindow


class WindowLabels:
    """Owns the label parts of one main window (kept by the window as ``labels``)."""

    def __init__(self, window: "MainWindow", service: InboxService, runner: TaskRunner) -> None:
        self.window = window
        self._service = service
        self._runner = runner
        self.catalog = window.label_catalog
        self.actions = window.label_actions
        self.manager: LabelManager | None = None
        view = window.inbox_view
        # Ctrl/Shift-click picks several conversations; the current one stays open.
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._inbox_menu)
        window.inbox_delegate.label_colour = self.catalog.colour_of
        switcher_rows = window.switcher.list.itemDelegate()
        if isinstance(switcher_rows, ConversationDelegate):
            switcher_rows.label_colour = self.catalog.colour_of
        self.catalog.changed.connect(self._catalog_changed)
        self.actions.changed.connect(window.apply_changes)
        self.actions.manage_requested.connect(self.open_manager)
        window.sidebar.manage_labels_requested.connect(self.open_manager)
        window.counts_shown.connect(lambda _: self.catalog.reload())
        menu = menu_named(window, "&Labels")
        manage = menu.addAction("Manage labels…")
        manage.triggered.connect(self.open_manager)
        manage.setEnabled(window.identity is not None)  # labels belong to an organisation

    # --- the inbox ---------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted(
            index.row() for index in self.window.inbox_view.selectionModel().selectedIndexes()
        )
        return [str(self.window.inbox.index(row).data(ConversationIdRole)) for row in rows]

    def _labels_of(self, conversation_id: str) -> tuple[str, ...]:
        summary = self.window.inbox.summary_at(self.window.inbox.row_of(conversation_id))
        return summary.labels if summary else ()

    def inbox_menu(self) -> QMenu | None:
        """The right-click menu for the selected conversations (None: nothing selected)."""
        ids = self.selected_ids()
        if not ids:
            return None
        menu = QMenu(self.window.inbox_view)
        count = f" {len(ids)} conversations" if len(ids) > 1 else ""
        submenu = self.actions.menu(menu, ids, self._labels_of, title=f"Label{count}")
        menu.addMenu(submenu)
        return menu

    def _inbox_menu(self, position: QPoint) -> None:
        view = self.window.inbox_view
        clicked = view.indexAt(position)
        if clicked.isValid() and not view.selectionModel().isSelected(clicked):
            view.setCurrentIndex(clicked)  # right-click outside the selection: that one
        menu = self.inbox_menu()
        if menu is not None:
            menu.popup(view.viewport().mapToGlobal(position))

    # --- the rest -----------------------------------------------------------------------

    def open_manager(self) -> LabelManager | None:
        if self.window.identity is None:
            return None
        if self.manager is None:
            self.manager = LabelManager(self._service, self._runner, self.catalog, self.window)
            self.manager.changed.connect(self.window.apply_changes)
        self.catalog.reload()
        self.manager.show()
        self.manager.raise_()
        return self.manager

    def labels_changed(self, changes: Changes) -> None:
        """A label was made, renamed, recoloured or deleted (here or by a teammate)."""
        if changes.labels:
            self.catalog.reload()
            # Rows carry label names: the loaded ones are fetched again as they show.
            self.window.inbox.forget_summaries()

    def _catalog_changed(self) -> None:
        self.window.sidebar.show_labels(self.catalog.labels)
        self.window.inbox_view.viewport().update()
