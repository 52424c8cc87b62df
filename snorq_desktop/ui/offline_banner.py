"""The bar above the window's columns when the team database is out of reach
(the app asks again every few seconds and catches up once it answers), or
when the data moved to another database and this window saves nothing more."""

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from snorq_desktop.ui.tasks import TaskRunner

RECONNECT_EVERY_MS = 3000


class DatabaseBanner(QLabel):
    """``came_back``: called once the database answers again (not after a move)."""

    def __init__(
        self,
        runner: TaskRunner,
        ping: Callable[[], object],
        came_back: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background:#f5b942;color:#222;padding:6px;font-weight:600")
        self.hide()
        self.moved_to: str | None = None  # the team database the data moved to
        self._runner = runner
        self._ping = ping
        self._came_back = came_back
        self.reconnect_timer = QTimer(self)
        self.reconnect_timer.setInterval(RECONNECT_EVERY_MS)
        self.reconnect_timer.timeout.connect(self._try_again)
        runner.database_lost.connect(self.lost)
        runner.database_back.connect(self.back)

    def lost(self, sentence: str) -> None:
        if self.moved_to is not None:
            return
        self.setText(f"⚠ {sentence} Replies you write wait until it is back.")
        self.show()
        self.reconnect_timer.start()

    def _try_again(self) -> None:
        if self._runner.pending == 0:  # one question at a time, not a queue of them
            self._runner.run(self._ping)

    def back(self) -> None:
        self.reconnect_timer.stop()
        if self.moved_to is not None:
            return
        self.hide()
        self._came_back()

    def moved(self, where: str) -> None:
        self.moved_to = where
        self.reconnect_timer.stop()
        self.setText(
            f"Your data is now in the team database at {where}. Close and reopen "
            "SNORQ Desktop to go on there; this window no longer saves anything."
        )
        self.show()
