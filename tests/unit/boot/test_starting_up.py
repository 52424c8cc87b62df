"""The first start's wait (creating the built-in database) is shown, not silent."""

import logging
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from snorq_desktop.boot.starting_up import StartingUp, while_showing
from snorq_desktop.domain.errors import KnownError


def _shown() -> list[StartingUp]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, StartingUp) and w.isVisible()
    ]


def test_the_wait_is_shown_with_its_step_and_the_result_comes_back(qapp, caplog):
    caplog.set_level(logging.INFO, logger="snorq_desktop")  # as the app's log is
    seen: dict[str, object] = {}
    release = threading.Event()

    def work() -> str:
        logging.getLogger("snorq_desktop.store.embedded").info(
            "creating the built-in database in /somewhere"
        )
        seen["thread"] = threading.current_thread().name
        release.wait(5)
        return "the database"

    def look() -> None:
        # while the work runs, the window's own loop turns: it is shown, with the step
        windows = _shown()
        seen["shown"] = [w.step.text() for w in windows]
        release.set()

    QTimer.singleShot(300, look)
    assert while_showing("Starting SNORQ Desktop…", work) == "the database"
    assert seen["thread"] == "snorq-starting-up"  # off the window's thread: it keeps painting
    assert seen["shown"] == ["Setting up the built-in database (only the first time)…"]
    qapp.processEvents()
    assert _shown() == []  # gone once the work is done


def test_a_problem_in_the_work_reaches_the_caller_and_the_window_closes(qapp):
    def work() -> None:
        raise KnownError("Nothing accepts connections at 127.0.0.1:1.")

    with pytest.raises(KnownError, match="Nothing accepts connections"):
        while_showing("Starting SNORQ Desktop…", work)
    qapp.processEvents()
    assert _shown() == []
