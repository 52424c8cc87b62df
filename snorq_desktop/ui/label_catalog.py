"""The organisation's labels as the window knows them: names, colours, counts.

One copy for the whole window (sidebar, inbox chips, thread chips, menus),
reloaded when this app or a teammate's changes a label and whenever the
sidebar's counts are refreshed.
"""

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

from snorq_desktop.domain.labels import DEFAULT_LABEL_COLOUR, LabelInfo, label_key
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.tasks import TaskRunner


class LabelCatalog(QObject):
    """Signals:
    - ``changed()``: the labels (or their counts) were reloaded.
    """

    changed = Signal()

    def __init__(self, service: InboxService, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.labels: list[LabelInfo] = []
        self._by_name: dict[str, LabelInfo] = {}
        self._colours: dict[str, QColor] = {}
        self._default = QColor(DEFAULT_LABEL_COLOUR)

    def reload(self) -> None:
        self._runner.run(self._service.labels.all, self._loaded)

    def _loaded(self, labels: list[LabelInfo]) -> None:
        self.labels = labels
        self._by_name = {label_key(label.name): label for label in labels}
        self._colours = {key: QColor(label.color) for key, label in self._by_name.items()}
        self.changed.emit()

    def colour_of(self, name: str) -> QColor:
        """A chip's colour by the label's name (as the inbox rows carry them); cheap."""
        return self._colours.get(label_key(name), self._default)

    def named(self, name: str) -> LabelInfo | None:
        return self._by_name.get(label_key(name))

    def by_id(self, label_id: str) -> LabelInfo | None:
        return next((label for label in self.labels if label.id == label_id), None)
