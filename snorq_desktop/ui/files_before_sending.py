"""A file is shown before it is sent (#19.3): from Attach…, a drop on the reply
box or a pasted image, the preview names it, sizes it, shows a thumbnail and
the caption, or says why the platform would refuse it; only its Send sends.
And a file in the thread opens in the system's viewer, from a copy written
inside the files folder (never where a hostile name or id would put it)."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import QFileDialog, QWidget

from snorq_desktop.domain.attachments import FileCheck, viewer_copy_path
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.composer import Composer
from snorq_desktop.ui.file_preview import FilePreview, keep_pasted_image, thumbnail_of
from snorq_desktop.ui.tasks import TaskRunner


class FilesBeforeSending(QObject):
    """Signals: ``send_requested(Path, str, str)``: the file, its caption and the
    conversation it was chosen in (the person may have moved on since)."""

    send_requested = Signal(Path, str, str)

    def __init__(
        self,
        pane: QWidget,
        service: InboxService,
        runner: TaskRunner,
        composer: Composer,
        folder: Path,
        conversation: Callable[[], str | None],
    ) -> None:
        super().__init__(pane)
        self._pane, self._service, self._runner = pane, service, runner
        self._composer, self._folder, self._conversation = composer, folder, conversation
        self.shown: FilePreview | None = None  # the last file shown before sending
        self.last_opened: Path | None = None  # the last copy handed to the viewer

    def choose(self) -> None:
        if self._conversation() is None:
            return
        path, _ = QFileDialog.getOpenFileName(self._pane, "Send a file")
        if path:
            self.preview(Path(path))

    def given(self, files: list[Path]) -> None:
        """Dropped on (or pasted into) the reply box: shown first, like Attach…'s."""
        if len(files) > 1:
            self._runner.failed.emit(
                f"One file at a time: “{files[0].name}” is shown first; send the others after it."
            )
        self.preview(files[0])

    def pasted(self, image: QImage) -> None:
        if (path := keep_pasted_image(image, self._folder)) is None:
            self._runner.failed.emit("The pasted image could not be kept to send it.")
        else:
            self.preview(path)

    def preview(self, path: Path) -> None:
        """Show the file before it is sent (name, size, thumbnail, caption, or why
        the platform would refuse it); only its Send sends it."""
        conversation_id = self._conversation()
        if conversation_id is None:
            return

        def look() -> tuple[FileCheck, QImage | None]:  # on the worker thread
            check = self._service.check_file(conversation_id, path)
            return check, thumbnail_of(check)

        self._runner.run(look, lambda found: self._show(conversation_id, path, *found))

    def _show(
        self, conversation_id: str, path: Path, check: FileCheck, thumbnail: QImage | None
    ) -> None:
        if conversation_id != self._conversation():
            return  # the person moved on meanwhile
        caption = self._composer.editor.toPlainText().strip()
        if self.shown is not None:
            self.shown.deleteLater()  # one kept at a time
        preview = FilePreview(check, thumbnail, caption, self._pane)
        self.shown = preview

        def send(caption: str) -> None:
            if self._conversation() == conversation_id:
                self._composer.editor.clear()  # its text went with the file as the caption
            self.send_requested.emit(path, caption, conversation_id)

        preview.send_requested.connect(send)
        preview.open()

    def open(self, message_id: str) -> None:
        folder = self._folder

        def write() -> Path | None:
            found = self._service.saved_file(message_id)
            if found is None:
                return None
            name, _mime, data = found
            target = viewer_copy_path(folder, message_id, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            return target

        def show(path: Path | None) -> None:
            if path is None:
                self._runner.failed.emit("That file is not kept any more.")
                return
            self.last_opened = path
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self._runner.run(write, show)
