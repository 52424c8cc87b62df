"""A small window while the app gets ready: the first start creates the built-in
PostgreSQL (initdb, then the schema), which takes 10–30 s on a slow machine,
and the demo also starts its sample platforms.  Without it a person who
clicked the icon sees nothing at all for that long and clicks again.

The work runs on a thread of its own so that the window keeps painting (and
its bar keeps moving); the caller gets its result, or its exception, back on
the window's thread as if it had called it directly."""

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

T = TypeVar("T")

# What the steps logged below this say, in the words of the person waiting.
_STEPS = {
    "creating the built-in database": "Setting up the built-in database (only the first time)…",
    "built-in database started": "Opening the inbox…",
    "demo platforms on": "Starting the demo's sample customers…",
}


class StartingUp(QWidget):
    def __init__(self, sentence: str) -> None:
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("SNORQ Desktop")
        self.setObjectName("starting-up")
        self.step = QLabel(sentence)
        self.step.setWordWrap(True)
        self.step.setMinimumWidth(self.fontMetrics().averageCharWidth() * 48)
        bar = QProgressBar()
        bar.setRange(0, 0)  # how long is not known: a moving bar, not a made-up percentage
        bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        title = QLabel("<b>SNORQ Desktop</b>")
        layout.addWidget(title)
        layout.addWidget(self.step)
        layout.addWidget(bar)

    def say(self, sentence: str) -> None:
        self.step.setText(sentence)


class _Steps(logging.Handler):
    """Turns the log lines of the work into the window's sentence: kept here from
    any thread, shown by the window's own thread at its next poll."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.latest: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for start, sentence in _STEPS.items():
            if message.startswith(start):
                self.latest = sentence


def while_showing(sentence: str, work: Callable[[], T]) -> T:
    """``work()``'s result, computed while a small window says ``sentence``."""
    window = StartingUp(sentence)
    window.show()
    steps = _Steps()
    package = logging.getLogger("snorq_desktop")
    package.addHandler(steps)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed back to the caller's thread below
            outcome["error"] = error

    thread = threading.Thread(target=run, name="snorq-starting-up", daemon=True)
    waiting = QEventLoop()
    poll = QTimer()
    poll.setInterval(50)

    def check() -> None:
        if steps.latest is not None:
            window.say(steps.latest)
        if not thread.is_alive():
            waiting.quit()

    poll.timeout.connect(check)
    try:
        thread.start()
        poll.start()
        waiting.exec()
        # A SIGTERM ends every event loop at once: the work still finishes (the
        # caller closes what it opened), it is never left half done.
        thread.join()
    finally:
        poll.stop()
        package.removeHandler(steps)
        window.close()
        window.deleteLater()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
