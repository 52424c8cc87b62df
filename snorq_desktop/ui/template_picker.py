"""Choose an approved WhatsApp template and fill in its values: the only way to
write to a customer more than 24 hours after their last message."""

from collections.abc import Callable, Sequence
from concurrent.futures import Future

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.ui.window_fit import grows_with_its_text

TemplateSource = Callable[[], "Future[list[MessageTemplate]]"]


class _Arrival(QObject):
    """Carries the finished request from the sync thread to the UI thread."""

    done = Signal(object)


class TemplatePicker(QDialog):
    def __init__(
        self,
        source: TemplateSource,
        parent: QWidget | None = None,
        *,
        suggestions: Sequence[tuple[str, str]] = (),
    ) -> None:
        """``suggestions``: ("/shortcut", text) of the quick replies that fit a
        value: typing the shortcut in a value offers the text (#17.1)."""
        super().__init__(parent)
        self.suggestions = dict(suggestions)
        self.setWindowTitle("Send a WhatsApp template")
        self.setMinimumWidth(460)
        grows_with_its_text(self)
        self.templates: list[MessageTemplate] = []
        self.chosen: MessageTemplate | None = None
        self.status = QLabel("Asking Meta for your approved templates…", self)
        self.status.setObjectName("templateStatus")
        self.status.setWordWrap(True)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)  # no way to know how long Meta takes
        self.busy.setTextVisible(False)
        self.list = QListWidget(self)
        self.list.setObjectName("templateList")
        self.list.currentRowChanged.connect(self._choose)
        self.preview = QLabel(self)
        self.preview.setObjectName("templatePreview")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values_form = QFormLayout()
        self.values: list[QLineEdit] = []
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok, self
        )
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText("Send template")
        self.send_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.busy)
        layout.addWidget(self.list)
        layout.addLayout(self.values_form)
        layout.addWidget(QLabel("The customer will read:", self))
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self._arrival = _Arrival(self)
        self._arrival.done.connect(self._loaded)
        source().add_done_callback(self._arrival.done.emit)

    def _loaded(self, future: "Future[list[MessageTemplate]]") -> None:
        self.busy.hide()
        error = future.exception()
        if error is not None:
            sentence = error.sentence if isinstance(error, KnownError) else str(error)
            self.status.setText(f"The templates could not be loaded: {sentence}")
            return
        self.templates = future.result()
        if not self.templates:
            self.status.setText(
                "This WhatsApp account has no approved templates yet. Create one in "
                "Meta's WhatsApp Manager; it can be used here once Meta approves it."
            )
            return
        self.status.setText("Choose a template and fill in its values.")
        for template in self.templates:
            item = QListWidgetItem(
                f"{template.name}  ·  {template.language}  ·  {template.category}"
            )
            self.list.addItem(item)
        self.list.setCurrentRow(0)

    def _choose(self, row: int) -> None:
        self.chosen = self.templates[row] if 0 <= row < len(self.templates) else None
        while self.values_form.rowCount():
            self.values_form.removeRow(0)
        self.values = []
        if self.chosen is None:
            return
        for number in range(1, self.chosen.parameter_count + 1):
            value = QLineEdit(self)
            value.setObjectName(f"templateValue{number}")
            value.textChanged.connect(self._update)
            if self.suggestions:
                self._offer_quick_replies(value)
            self.values_form.addRow(f"Value {{{{{number}}}}}", value)
            self.values.append(value)
        self._update()

    def _offer_quick_replies(self, value: QLineEdit) -> None:
        completer = QCompleter(list(self.suggestions), value)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        value.setCompleter(completer)
        value.setPlaceholderText("A value, or / and a quick reply")
        # After the completer has put the shortcut in: then its text replaces it.
        completer.activated.connect(
            lambda shortcut: QTimer.singleShot(0, lambda: self.use_quick_reply(value, shortcut))
        )

    def use_quick_reply(self, value: QLineEdit, shortcut: str) -> None:
        if (text := self.suggestions.get(shortcut)) is not None:
            value.setText(text)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(value.text().strip() for value in self.values)

    def _update(self) -> None:
        if self.chosen is None:
            return
        self.preview.setText(self.chosen.render(self.parameters))
        self.send_button.setEnabled(self.chosen.missing(self.parameters) is None)
