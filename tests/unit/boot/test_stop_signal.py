"""SIGTERM closes the window without its questions, and from Qt's own loop."""

import os
import signal

from PySide6.QtCore import QCoreApplication

from snorq_desktop.boot.stop_signal import StopOnSignal


def test_sigterm_closes_the_window_without_asking_from_a_fresh_event(qtbot, qapp):
    closed: list[str] = []
    stop = StopOnSignal(qapp)
    try:
        stop.close_window_with(lambda: closed.append("closed without asking"))
        os.kill(os.getpid(), signal.SIGTERM)
        # The handler has run (Python runs it before the next bytecode) but it
        # only asked Qt to stop: closing inside it would run the window's close
        # inside whatever sync task step the signal interrupted.
        assert stop.requested
        assert closed == []
        qtbot.waitUntil(lambda: closed == ["closed without asking"], timeout=5000)
    finally:
        stop.restore()
        QCoreApplication.processEvents()


def test_restore_gives_the_signal_back(qapp):
    before = signal.getsignal(signal.SIGTERM)
    stop = StopOnSignal(qapp)
    assert signal.getsignal(signal.SIGTERM) != before
    stop.restore()
    assert signal.getsignal(signal.SIGTERM) == before
