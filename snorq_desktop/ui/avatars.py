"""Contact pictures for the inbox: from memory, else from the cache folder, else
fetched once in the background (initials are painted meanwhile)."""

from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap

from snorq_desktop.services.avatars import AvatarDownloader
from snorq_desktop.ui.conversation_delegate import AVATAR, AvatarSource

_KEEP = 400


class CachedAvatars(QObject, AvatarSource):
    """Signals:
    - ``avatar_ready(str)``: the picture for this URL can now be painted.
    """

    avatar_ready = Signal(str)
    _fetched = Signal(str, object)

    def __init__(self, downloader: AvatarDownloader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._downloader = downloader
        self._memory: OrderedDict[str, QPixmap] = OrderedDict()
        self._asked: set[str] = set()
        self._fetched.connect(self._arrived)

    def pixmap(self, url: str | None) -> QPixmap | None:
        if not url:
            return None
        if url in self._memory:
            self._memory.move_to_end(url)
            return self._memory[url]
        cached = self._downloader.cached_file(url)
        if cached.exists():
            return self._remember(url, cached)
        if url not in self._asked:
            self._asked.add(url)
            future = self._downloader.fetch(url)
            future.add_done_callback(lambda f: self._fetched.emit(url, f))
        return None

    def _remember(self, url: str, file: Path) -> QPixmap | None:
        picture = QPixmap(str(file))
        if picture.isNull():
            return None
        size = AVATAR * 2  # sharp on high-DPI screens
        picture = picture.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatioByExpanding,
            Qt.TransformationMode.SmoothTransformation,
        )
        self._memory[url] = picture
        while len(self._memory) > _KEEP:
            self._memory.popitem(last=False)
        return picture

    def _arrived(self, url: str, future: "Future[Path | None]") -> None:
        if not future.cancelled() and future.exception() is None and future.result() is not None:
            self.avatar_ready.emit(url)
