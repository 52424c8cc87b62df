"""The chip row under the thread's header: the conversation's labels, each with
a × that takes it off, and "+ Label" to put one on (or make a new one)."""

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from snorq_desktop.ui.label_actions import LabelActions


def _chip_style(colour: str) -> str:
    return (
        f"QToolButton {{ background: {colour}; color: white; border: none;"
        " border-radius: 9px; padding: 1px 8px; font-weight: 600; }"
    )


class ThreadLabelRow(QWidget):
    def __init__(self, actions: LabelActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadLabels")
        self._actions = actions
        self.conversation_id: str | None = None
        self.names: tuple[str, ...] = ()
        self.chips: list[QToolButton] = []
        self.add_button = QToolButton(self)
        self.add_button.setObjectName("addLabelButton")
        self.add_button.setText("+ Label")
        self.add_button.setAutoRaise(True)
        self.add_button.setToolTip("Put a label on this conversation")
        self.add_button.clicked.connect(self.open_menu)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(14, 0, 10, 4)
        self._layout.setSpacing(4)
        self._layout.addWidget(self.add_button)
        self._layout.addStretch(1)
        actions.catalog.changed.connect(self._rebuild)

    def show_labels(self, conversation_id: str, names: tuple[str, ...]) -> None:
        self.conversation_id = conversation_id
        self.names = names
        self._rebuild()

    def _rebuild(self) -> None:
        for chip in self.chips:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self.chips = []
        for position, name in enumerate(self.names):
            chip = QToolButton(self)
            chip.setObjectName("labelChip")
            chip.setText(f"{name}  ×")
            chip.setToolTip(f"Take “{name}” off this conversation")
            chip.setStyleSheet(_chip_style(self._actions.catalog.colour_of(name).name()))
            chip.clicked.connect(lambda _=False, n=name: self.take_off(n))
            self._layout.insertWidget(position, chip)
            self.chips.append(chip)

    def take_off(self, name: str) -> None:
        label = self._actions.catalog.named(name)
        if label is not None and self.conversation_id is not None:
            self._actions.remove(label.id, [self.conversation_id])

    def build_menu(self) -> QMenu:
        assert self.conversation_id is not None
        names = self.names
        return self._actions.menu(
            self,
            [self.conversation_id],
            lambda _: names,
            title="Labels",
            with_new_label_box=True,
        )

    def open_menu(self) -> None:
        if self.conversation_id is None:
            return
        menu = self.build_menu()
        menu.popup(self.add_button.mapToGlobal(QPoint(0, self.add_button.height())))
        box = menu.findChild(QWidget, "newLabelBox")
        if box is not None:
            box.setFocus()
