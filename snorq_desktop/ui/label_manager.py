"""The "Labels…" dialog: every label of the organisation, to create, rename,
recolour and delete.  Each action is one transaction on the worker; the list
follows the window's LabelCatalog, so a teammate's changes show here too."""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.labels import DEFAULT_LABEL_COLOUR, LABEL_COLOURS, MAX_LABEL_NAME
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.label_catalog import LabelCatalog
from snorq_desktop.ui.sidebar import label_dot
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.window_fit import open_sized

LabelIdRole = Qt.ItemDataRole.UserRole + 1


def colour_box(parent: QWidget) -> QComboBox:
    """The palette as a drop-down of coloured dots."""
    box = QComboBox(parent)
    for name, colour in LABEL_COLOURS:
        box.addItem(label_dot(colour), name, colour)
    return box


def choose_colour(box: QComboBox, colour: str) -> None:
    row = box.findData(colour.lower())
    if row < 0:  # a colour set elsewhere (psql, another client): shown as itself
        box.addItem(label_dot(colour), colour, colour.lower())
        row = box.count() - 1
    box.setCurrentIndex(row)


class LabelManager(QDialog):
    """Signals:
    - ``changed(object)``: the Changes of an action taken here.
    """

    changed = Signal(object)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        catalog: LabelCatalog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("labelManager")
        self.setWindowTitle("Labels")
        self._service = service
        self._runner = runner
        self._catalog = catalog
        self.list = QListWidget(self)
        self.list.setObjectName("labelList")
        self.name = QLineEdit(self)
        self.name.setObjectName("labelName")
        self.name.setMaxLength(MAX_LABEL_NAME)
        self.name.setPlaceholderText("Label name, e.g. VIP")
        self.colour = colour_box(self)
        self.colour.setObjectName("labelColour")
        self.add_button = QPushButton("Add label", self)
        self.save_button = QPushButton("Save changes", self)
        self.delete_button = QPushButton("Delete…", self)
        self.error = QLabel(self)
        self.error.setObjectName("labelError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.error.hide()
        self.hint = QLabel(
            "Pick a label to rename, recolour or delete it, or type a new name and add it.", self
        )
        self.hint.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        form = QHBoxLayout()
        form.addWidget(self.name, 1)
        form.addWidget(self.colour)
        actions = QHBoxLayout()
        for button in (self.add_button, self.save_button, self.delete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.error)
        layout.addWidget(close)
        open_sized(self, 420, 440)

        self.list.currentItemChanged.connect(lambda *_: self._picked())
        self.name.textChanged.connect(lambda _: self._update_buttons())
        self.name.returnPressed.connect(self._enter)
        self.colour.currentIndexChanged.connect(lambda _: self._update_buttons())
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        catalog.changed.connect(self._show)
        self._show()

    # --- showing ----------------------------------------------------------------

    def _show(self) -> None:
        chosen = self.selected_id()
        self.list.blockSignals(True)
        self.list.clear()
        for label in self._catalog.labels:
            count = f"  ({label.conversations:,})" if label.conversations else ""
            item = QListWidgetItem(label_dot(label.color), label.name + count)
            item.setData(LabelIdRole, label.id)
            self.list.addItem(item)
            if label.id == chosen:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if chosen is not None and self.selected_id() is None:
            self._picked()  # deleted meanwhile
        self._update_buttons()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(LabelIdRole)) if item is not None else None

    def _picked(self) -> None:
        label = self._catalog.by_id(self.selected_id() or "")
        self.name.setText(label.name if label else "")
        choose_colour(self.colour, label.color if label else DEFAULT_LABEL_COLOUR)
        self.error.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        typed = self.name.text().strip()
        label = self._catalog.by_id(self.selected_id() or "")
        existing = self._catalog.named(typed) if typed else None
        self.add_button.setEnabled(bool(typed) and existing is None)
        if existing is not None and label is None:  # adding; a rename says so on Save
            # Why Add does nothing, beside it, rather than a button that seems broken.
            self.error.setText(f"There is a label “{existing.name}” already: pick it to change it.")
            self.error.show()
        elif self.error.text().startswith("There is a label"):
            self.error.hide()
        self.save_button.setEnabled(
            label is not None
            and bool(typed)
            and (typed != label.name or self.colour.currentData() != label.color)
        )
        self.delete_button.setEnabled(label is not None)

    # --- acting -----------------------------------------------------------------

    def _run(self, work: Callable[[], Any], after: Callable[[Any], None] | None = None) -> None:
        self.error.hide()

        def done(result: Any) -> None:
            changes = result[1] if isinstance(result, tuple) else result
            self.changed.emit(changes)
            if after is not None:
                after(result)

        self._runner.run(work, done, self._failed)

    def _failed(self, error: Exception) -> None:
        sentence = error.sentence if isinstance(error, KnownError) else str(error)
        self.error.setText(sentence)
        self.error.show()

    def _enter(self) -> None:
        if self.save_button.isEnabled():
            self.save()
        elif self.add_button.isEnabled():
            self.add()

    def add(self) -> None:
        name, colour = self.name.text(), str(self.colour.currentData())
        self._run(lambda: self._service.labels.create(name, colour), self._added)

    def _added(self, _: object) -> None:
        self.list.setCurrentRow(-1)
        self.name.clear()

    def save(self) -> None:
        label = self._catalog.by_id(self.selected_id() or "")
        if label is None:
            return
        name, colour = self.name.text().strip(), str(self.colour.currentData())

        def work() -> Changes:
            changes = Changes()
            if name != label.name:
                changes = changes | self._service.labels.rename(label.id, name)
            if colour != label.color:
                changes = changes | self._service.labels.recolour(label.id, colour)
            return changes

        self._run(work)

    def delete(self) -> None:
        label = self._catalog.by_id(self.selected_id() or "")
        if label is None:
            return
        on = (
            f"It comes off {label.carried_by:,} conversation"
            f"{'' if label.carried_by == 1 else 's'}; the conversations stay."
            if label.carried_by
            else "No conversation has it."
        )
        answer = QMessageBox.question(
            self,
            "Delete label",
            f"Delete the label “{label.name}”? {on}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: self._service.labels.delete(label.id))
