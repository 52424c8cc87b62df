"""Backing up and restoring from the window, with a progress bar.

The work runs on the worker's long lane (pg_dump of a big shop takes minutes;
the window's queries go on meanwhile) and reports through signals.  A restore first
stops the sync engine (``pause_sync``), and asks before replacing newer data.
"""

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.errors import KnownError, RestoreWouldLoseData
from snorq_desktop.services.analytics import AnalyticsService
from snorq_desktop.services.worker import DatabaseWorker
from snorq_desktop.ui.formatting import breakable
from snorq_desktop.ui.window_fit import grows_with_its_text

log = logging.getLogger(__name__)
STEPS = 1000


class BackupDialog(QDialog):
    """Signals:
    - ``progressed(float, str)``: how far, and the step (from the work thread);
    - ``ended(bool, str)``: success, and the sentence to show;
    - ``confirmation_needed(str)``: the restore would replace newer data (why).
    """

    progressed = Signal(float, str)
    ended = Signal(bool, str)
    confirmation_needed = Signal(str)

    def __init__(
        self,
        service: AnalyticsService,
        worker: DatabaseWorker,
        archive: Path,
        *,
        restoring: bool,
        pause_sync: Callable[[], object] = lambda: None,
        resume_sync: Callable[[], None] = lambda: None,
        ask: Callable[[str], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._worker = worker
        self.archive = archive
        self.restoring = restoring
        self._pause_sync = pause_sync
        self._resume_sync = resume_sync
        self._ask = ask or self._ask_person
        self.succeeded: bool | None = None
        self.setWindowTitle("Restore" if restoring else "Back up")
        self.setObjectName("backupDialog")
        self.setMinimumWidth(520)
        grows_with_its_text(self)
        self.step = QLabel("Starting…", self)
        self.step.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, STEPS)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        where = QLabel(("Restoring from " if restoring else "Backing up to ") + breakable(archive))
        where.setWordWrap(True)
        layout.addWidget(where)
        layout.addWidget(self.bar)
        layout.addWidget(self.step)
        layout.addWidget(self.buttons)
        self.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self.ended.connect(self._show_end, Qt.ConnectionType.QueuedConnection)
        self.confirmation_needed.connect(self._confirm, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        self._run(confirmed=False)

    def _run(self, *, confirmed: bool) -> None:
        self._worker.submit_long(self._work, confirmed)

    def _work(self, confirmed: bool) -> None:
        try:
            if not self.restoring:
                sentence = self._service.back_up(self.archive, self.progressed.emit)
            else:
                if not confirmed:
                    self._service.check_restore(self.archive)
                self._pause_sync()
                try:
                    sentence = self._service.restore(
                        self.archive, self.progressed.emit, confirmed=confirmed
                    )
                finally:
                    self._resume_sync()
        except RestoreWouldLoseData as newer:
            self.confirmation_needed.emit(newer.sentence)
            return
        except KnownError as problem:
            self.ended.emit(False, problem.sentence)
            return
        except Exception:  # a bug: the log has it, the person gets a sentence
            log.exception("backup or restore failed")
            self.ended.emit(False, "Something went wrong; the details are in the log file.")
            return
        self.ended.emit(True, sentence)

    def _show_progress(self, fraction: float, step: str) -> None:
        self.bar.setValue(int(fraction * STEPS))
        self.step.setText(breakable(step))

    def _show_end(self, ok: bool, sentence: str) -> None:
        self.succeeded = ok
        if ok:
            self.bar.setValue(STEPS)
        self.step.setText(breakable(sentence if ok else f"⚠ {sentence}"))
        self.buttons.setEnabled(True)

    def _confirm(self, sentence: str) -> None:
        if self._ask(sentence):
            self._run(confirmed=True)
        else:
            self._show_end(False, "Nothing was restored.")

    def _ask_person(self, sentence: str) -> bool:
        answer = QMessageBox.warning(
            self,
            "Replace newer messages?",
            sentence,
            QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Ok,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Ok


def choose_backup_target(parent: QWidget, folder: Path) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(
        parent,
        "Back up SNORQ Desktop",
        str(folder / "snorq.backup"),
        "SNORQ backups (*.backup)",
    )
    return Path(path) if path else None


def choose_backup_source(parent: QWidget, folder: Path) -> Path | None:
    """Opens where the last backup was written: the file wanted is most often there."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Restore SNORQ Desktop from", str(folder), "SNORQ backups (*.backup)"
    )
    return Path(path) if path else None
