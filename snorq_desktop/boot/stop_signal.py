"""SIGTERM (a session logging out, `kill`, a service manager) closes the app the
way closing its window does, so the built-in or demo PostgreSQL it started is
stopped too instead of outliving it.

Python runs a signal handler only when the interpreter next gets control, and
inside Qt's event loop that may be never: the signal's byte on a wake-up socket
makes Qt call into Python at once (signal.set_wakeup_fd, QSocketNotifier).
"""

import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, QTimer

log = logging.getLogger(__name__)


class StopOnSignal(QObject):
    """While installed, SIGTERM quits the running Qt event loop (the window's, a
    dialog's); ``requested`` tells start-up code not to go on."""

    def __init__(self, parent: QObject, signals: tuple[signal.Signals, ...] = (signal.SIGTERM,)):
        super().__init__(parent)
        self.requested = False
        self._close_window: Callable[[], None] | None = None
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {number: signal.signal(number, self._on_signal) for number in signals}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        # The slot only has to exist: entering Python runs the pending handler.
        self._notifier.activated.connect(self._drain)

    def close_window_with(self, close: Callable[[], None]) -> None:
        """How the shown window closes on a signal: without its questions (a session
        logging out cannot answer "Replies still sending… Close anyway?"; the
        replies are kept and go out on the next start either way)."""
        self._close_window = close

    def _on_signal(self, number: int, _: FrameType | None) -> None:
        log.info("stopping on %s, as when the window is closed", signal.Signals(number).name)
        self.requested = True
        # Python runs this handler between any two bytecodes, perhaps inside a
        # sync task's step; closing from here would run the window's close (and
        # the asyncio callbacks a nested loop turns) inside that step.  Qt calls
        # the stop from its own loop instead, as a fresh event.
        QTimer.singleShot(0, self._stop)

    def _stop(self) -> None:
        if self._close_window is not None:
            self._close_window()
        QCoreApplication.quit()  # as the window's closing does; the caller closes the rest

    def quit_if_requested(self) -> None:
        """For a loop about to start: run it (QTimer.singleShot(0, …)) as its first
        event, so a signal that came just before the loop began still ends it."""
        if self.requested:
            QCoreApplication.quit()

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(512)

    def restore(self) -> None:
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()
