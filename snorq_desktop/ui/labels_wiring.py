"""Labels in the main window: the inbox's multi-select "Label ▸" menu, the
sidebar's label views, the colours the rows paint with and the Labels… dialog.

The window hands over the parts it needs; it knows nothing of the window."""

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QMenu, QWidget

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.conversation_delegate import ConversationDelegate
from snorq_desktop.ui.inbox_model import ConversationIdRole, InboxModel
from snorq_desktop.ui.label_actions import LabelActions
from snorq_desktop.ui.label_catalog import LabelCatalog
from snorq_desktop.ui.label_manager import LabelManager
from snorq_desktop.ui.sidebar import Sidebar
from snorq_desktop.ui.tasks import TaskRunner


class WindowLabels(QObject):
    """Signals:
    - ``changed(object)``: labels were applied, made, renamed or deleted here (Changes).
    """

    changed = Signal(object)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        catalog: LabelCatalog,
        actions: LabelActions,
        *,
        inbox_view: QAbstractItemView,
        inbox: InboxModel,
        sidebar: Sidebar,
        menu: QMenu,
        rows: Sequence[ConversationDelegate],
        enabled: bool,
        dialog_parent: QWidget,
    ) -> None:
        """``rows``: the delegates that paint label chips; ``enabled``: labels
        belong to an organisation (none yet: no dialog)."""
        super().__init__(dialog_parent)
        self._service = service
        self._runner = runner
        self.catalog = catalog
        self.actions = actions
        self._view = inbox_view
        self._inbox = inbox
        self._sidebar = sidebar
        self._enabled = enabled
        self._dialog_parent = dialog_parent
        self.manager: LabelManager | None = None
        self.menu_additions: list[Callable[[QMenu, list[str]], None]] = []
        # Ctrl/Shift-click picks several conversations; the current one stays open.
        inbox_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        inbox_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        inbox_view.customContextMenuRequested.connect(self._inbox_menu)
        for delegate in rows:
            delegate.label_colour = catalog.colour_of
        catalog.changed.connect(self._catalog_changed)
        actions.changed.connect(self.changed.emit)
        actions.manage_requested.connect(self.open_manager)
        sidebar.manage_labels_requested.connect(self.open_manager)
        manage = menu.addAction("Manage labels…")
        manage.triggered.connect(self.open_manager)
        manage.setEnabled(enabled)

    # --- the inbox ---------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self._view.selectionModel().selectedIndexes())
        return [str(self._inbox.index(row).data(ConversationIdRole)) for row in rows]

    def _labels_of(self, conversation_id: str) -> tuple[str, ...]:
        summary = self._inbox.summary_at(self._inbox.row_of(conversation_id))
        return summary.labels if summary else ()

    def inbox_menu(self) -> QMenu | None:
        """The right-click menu for the selected conversations (None: nothing selected)."""
        ids = self.selected_ids()
        if not ids:
            return None
        menu = QMenu(self._view)
        count = f" {len(ids)} conversations" if len(ids) > 1 else ""
        submenu = self.actions.menu(menu, ids, self._labels_of, title=f"Label{count}")
        menu.addMenu(submenu)
        for add in self.menu_additions:  # the other features' items (snooze)
            add(menu, ids)
        return menu

    def _inbox_menu(self, position: QPoint) -> None:
        clicked = self._view.indexAt(position)
        if clicked.isValid() and not self._view.selectionModel().isSelected(clicked):
            self._view.setCurrentIndex(clicked)  # right-click outside the selection: that one
        menu = self.inbox_menu()
        if menu is not None:
            menu.popup(self._view.viewport().mapToGlobal(position))

    # --- the rest -----------------------------------------------------------------------

    def open_manager(self) -> LabelManager | None:
        if not self._enabled:
            return None
        if self.manager is None:
            self.manager = LabelManager(
                self._service, self._runner, self.catalog, self._dialog_parent
            )
            self.manager.changed.connect(self.changed.emit)
        self.catalog.reload()
        self.manager.show()
        self.manager.raise_()
        return self.manager

    def labels_changed(self, changes: Changes) -> None:
        """A label was made, renamed, recoloured or deleted (here or by a teammate)."""
        if changes.labels:
            self.catalog.reload()
            # Rows carry label names: the loaded ones are fetched again as they show.
            self._inbox.forget_summaries()

    def _catalog_changed(self) -> None:
        self._sidebar.show_labels(self.catalog.labels)
        self._view.viewport().update()
