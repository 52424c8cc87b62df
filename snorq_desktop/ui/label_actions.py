"""Putting labels on conversations and taking them off: the "Label ▸" menu of the
inbox (for every selected conversation at once) and of the thread's "add label"
button, and the way to the Labels… dialog.  Each action is one transaction."""

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget, QWidgetAction

from snorq_desktop.domain.labels import MAX_LABEL_NAME, label_key
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.label_catalog import LabelCatalog
from snorq_desktop.ui.sidebar import label_dot
from snorq_desktop.ui.tasks import TaskRunner


class LabelActions(QObject):
    """Signals:
    - ``changed(object)``: the Changes of a label put on or taken off;
    - ``manage_requested()``: the person asked for the Labels… dialog.
    """

    changed = Signal(object)
    manage_requested = Signal()

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        catalog: LabelCatalog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.catalog = catalog

    # --- acting -------------------------------------------------------------------

    def apply(self, label_id: str, conversation_ids: Sequence[str]) -> None:
        ids = list(conversation_ids)
        self._runner.run(lambda: self._service.labels.apply(label_id, ids), self.changed.emit)

    def remove(self, label_id: str, conversation_ids: Sequence[str]) -> None:
        ids = list(conversation_ids)
        self._runner.run(lambda: self._service.labels.remove(label_id, ids), self.changed.emit)

    def create_and_apply(
        self,
        name: str,
        conversation_ids: Sequence[str],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        ids = list(conversation_ids)
        self._runner.run(
            lambda: self._service.labels.create_and_apply(name, ids), self.changed.emit, on_error
        )

    def ask_new_label(self, parent: QWidget, conversation_ids: Sequence[str]) -> None:
        count = len(conversation_ids)
        name, ok = QInputDialog.getText(
            parent,
            "New label",
            f"Name of the new label (put on {count} conversation{'' if count == 1 else 's'}):",
        )
        if ok and name.strip():
            self.create_and_apply(name, conversation_ids)

    # --- the menu -------------------------------------------------------------------

    def menu(
        self,
        parent: QWidget,
        conversation_ids: Sequence[str],
        labels_of: Callable[[str], Sequence[str]],
        *,
        title: str = "Label",
        with_new_label_box: bool = False,
    ) -> QMenu:
        """Every label, ticked when all of these conversations have it.  Choosing a
        ticked label takes it off them all; any other puts it on them all."""
        ids = list(conversation_ids)
        menu = QMenu(title, parent)
        menu.setObjectName("labelMenu")
        for label in self.catalog.labels:
            having = sum(
                1 for cid in ids if label_key(label.name) in {label_key(n) for n in labels_of(cid)}
            )
            action = menu.addAction(label_dot(label.color), label.name)
            action.setCheckable(True)
            action.setChecked(bool(ids) and having == len(ids))
            if 0 < having < len(ids):
                action.setText(f"{label.name}  ({having} of {len(ids)})")
            label_id, everywhere = label.id, having == len(ids)
            action.triggered.connect(
                lambda _=False, lid=label_id, all_=everywhere: (
                    self.remove(lid, ids) if all_ else self.apply(lid, ids)
                )
            )
        if self.catalog.labels:
            menu.addSeparator()
        if with_new_label_box:
            box = QLineEdit(menu)
            box.setObjectName("newLabelBox")
            box.setPlaceholderText("New label… (Enter)")
            box.setMaxLength(MAX_LABEL_NAME)

            def typed() -> None:
                if box.text().strip():
                    self.create_and_apply(box.text(), ids)
                    menu.close()

            box.returnPressed.connect(typed)
            holder = QWidgetAction(menu)
            holder.setDefaultWidget(box)
            menu.addAction(holder)
        else:
            menu.addAction("New label…").triggered.connect(lambda: self.ask_new_label(parent, ids))
        menu.addAction("Manage labels…").triggered.connect(self.manage_requested.emit)
        return menu
