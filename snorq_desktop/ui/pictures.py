"""Photos shown in the thread: fetched from the team database and scaled off the
UI thread, kept in a small cache, painted by the message delegate."""

from collections import OrderedDict

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage

from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.tasks import TaskRunner

BOX = QSize(260, 200)  # the largest a photo is drawn in a bubble
KEEP = 150  # scaled photos kept in memory (~200 KB each)


class Pictures(QObject):
    """Signals: ``ready(str)``: a message's photo can now be painted."""

    ready = Signal(str)

    def __init__(
        self, service: InboxService, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._cache: OrderedDict[str, QImage | None] = OrderedDict()
        self._asked: set[str] = set()

    def get(self, message_id: str) -> QImage | None:
        """The scaled photo, or None while it loads (or if it cannot be shown)."""
        if message_id in self._cache:
            self._cache.move_to_end(message_id)
            return self._cache[message_id]
        if message_id not in self._asked:
            self._asked.add(message_id)
            self._runner.run(
                lambda: self._load(message_id), lambda image: self._keep(message_id, image)
            )
        return None

    def _load(self, message_id: str) -> QImage | None:
        # On the worker thread: QImage (unlike QPixmap) may be made off the UI thread.
        found = self._service.saved_file(message_id)
        if found is None:
            return None
        image = QImage()
        if not image.loadFromData(found[2]):
            return None  # not a format Qt reads: the card stays a card
        return image.scaled(
            BOX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )

    def _keep(self, message_id: str, image: QImage | None) -> None:
        self._asked.discard(message_id)
        self._cache[message_id] = image
        while len(self._cache) > KEEP:
            self._cache.popitem(last=False)
        if image is not None:
            self.ready.emit(message_id)
