"""Runs database work on the worker thread and delivers results on the UI thread."""

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from snorq_desktop.domain.errors import DatabaseUnavailable, KnownError
from snorq_desktop.services.worker import DatabaseWorker

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskRunner(QObject):
    """Signals:
    - ``database_lost(str)``: a task found the database unreachable (the sentence);
    - ``database_back()``: the first task to succeed after that;
    - ``failed(str)``: a task met an error a user can act on (the sentence);
    - ``_delivered(object)``: internal, carries a finished task to the UI thread;
    - ``_told(str)``: internal, carries :meth:`tell`'s sentence to ``failed``.
    """

    database_lost = Signal(str)
    database_back = Signal()
    failed = Signal(str)
    _delivered = Signal(object)
    _told = Signal(str)

    def __init__(
        self, worker: DatabaseWorker, parent: QObject | None = None, *, long: bool = False
    ) -> None:
        """``long``: this runner's tasks may wait minutes (a login, a data move), so
        they run on the worker's long lane, never ahead of the window's queries."""
        super().__init__(parent)
        self._worker = worker
        self._submit = worker.submit_long if long else worker.submit
        self._pending = 0
        self._stopped = False
        self.offline = False
        self._delivered.connect(self._finish)
        self._told.connect(self.failed)  # queued to this object's (the UI) thread

    def tell(self, sentence: str) -> None:
        """From any thread: a sentence for the person, shown where a task's
        failure is (the reply journal found damaged while a task read it)."""
        self._told.emit(sentence)

    @property
    def pending(self) -> int:
        return self._pending

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        if self._stopped:
            return  # the window is closing: nothing more reaches the database
        self._pending += 1
        future = self._submit(work)
        # add_done_callback runs on the worker thread: hop to ours with a signal.
        future.add_done_callback(lambda f: self._delivered.emit((f, on_done, on_error)))

    def finish(self, work: Callable[[], object], timeout: float = 10.0) -> bool:
        """Run ``work`` and wait for it (the window closing: what must be saved
        before the worker ends).  False if it failed or took too long (logged)."""
        return self.answer(lambda: work() or True, timeout) is not None

    def answer(self, work: Callable[[], T], timeout: float = 10.0) -> T | None:
        """``work``'s result, waited for (the window closing); None if it failed
        or took too long (logged)."""
        if self._stopped:
            return None
        try:
            return self._submit(work).result(timeout)
        except Exception:
            log.warning("could not finish a task before closing", exc_info=True)
            return None

    def stop(self) -> None:
        self._stopped = True

    def _finish(self, parcel: tuple[Future[Any], Callable[[Any], None] | None, Any]) -> None:
        future, on_done, on_error = parcel
        self._pending -= 1
        if future.cancelled() or self._stopped:
            return
        error = future.exception()
        if error is None:
            if self.offline:
                self.offline = False
                self.database_back.emit()
            if on_done is not None:
                on_done(future.result())
            return
        if isinstance(error, DatabaseUnavailable):
            if not self.offline:
                self.offline = True
                self.database_lost.emit(error.sentence)
        elif isinstance(error, KnownError):
            self.failed.emit(error.sentence)
        else:
            log.error("database task failed", exc_info=error)
            self.failed.emit("Something went wrong; the details are in the log file.")
        if on_error is not None and isinstance(error, Exception):
            on_error(error)
