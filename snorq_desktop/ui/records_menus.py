"""The window's entries for the shop's records: View ▸ Dashboard…, File ▸ Back up…
and Restore…, and the banner that warns a FREE organisation before its history
purge.  Given its menus and its banner's place by window.py."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QBoxLayout, QLabel, QMenu, QWidget

from snorq_desktop.domain.retention import RetentionNotice
from snorq_desktop.services.analytics import AnalyticsService
from snorq_desktop.services.worker import DatabaseWorker
from snorq_desktop.ui.backup_dialog import (
    BackupDialog,
    choose_backup_source,
    choose_backup_target,
)
from snorq_desktop.ui.dashboard import DashboardWindow
from snorq_desktop.ui.menu_bar import add_above_quit
from snorq_desktop.ui.tasks import TaskRunner

NOTICE_EVERY_MS = 3600_000
BACKUP_FOLDER = "backups/folder"


class RecordsMenus:
    """Owns the dashboard window and the backup dialog while they are open."""

    def __init__(
        self,
        window: QWidget,
        service: AnalyticsService,
        runner: TaskRunner,
        worker: DatabaseWorker,
        *,
        file_menu: QMenu,
        view_menu: QMenu,
        banners: QBoxLayout,
        pause_sync: Callable[[], object],
        resume_sync: Callable[[], None],
        after_restore: Callable[[], None],
        state: QSettings | None = None,
    ) -> None:
        """``state``: where the folder of the last backup is remembered (Restore's
        file dialog opens there, the next Back up too)."""
        self._window = window
        self._service = service
        self._runner = runner
        self._worker = worker
        self._pause_sync = pause_sync
        self._resume_sync = resume_sync
        self._after_restore = after_restore
        self._state = state
        self.dashboard: DashboardWindow | None = None
        self.backup: BackupDialog | None = None

        self.dashboard_action = QAction("&Dashboard…", window)
        self.dashboard_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.dashboard_action.triggered.connect(self.open_dashboard)
        view_menu.addAction(self.dashboard_action)
        self.backup_action = QAction("&Back up…", window)
        self.backup_action.triggered.connect(lambda: self.back_up())
        self.restore_action = QAction("&Restore…", window)
        self.restore_action.triggered.connect(lambda: self.restore())
        add_above_quit(file_menu, self.backup_action)
        add_above_quit(file_menu, self.restore_action)

        self.banner = QLabel(window)
        self.banner.setObjectName("historyBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fde68a;color:#1f2328;padding:6px 12px")
        self.banner.hide()
        banners.insertWidget(0, self.banner)
        self._timer = QTimer(window)
        self._timer.setInterval(NOTICE_EVERY_MS)
        self._timer.timeout.connect(self.refresh_notice)
        self._timer.start()
        self.refresh_notice()

    # --- the dashboard ---------------------------------------------------------------

    def open_dashboard(self) -> DashboardWindow:
        if self.dashboard is None:
            self.dashboard = DashboardWindow(self._service, self._runner, self._window)
            self.dashboard.finished.connect(self._dashboard_closed)
        self.dashboard.show()
        self.dashboard.raise_()
        return self.dashboard

    def _dashboard_closed(self) -> None:
        if self.dashboard is not None:
            self.dashboard.deleteLater()
            self.dashboard = None

    # --- backups ----------------------------------------------------------------------

    @property
    def backup_folder(self) -> Path:
        """Where the last backup was written (the home folder before the first)."""
        folder = self._state.value(BACKUP_FOLDER) if self._state is not None else None
        if isinstance(folder, str) and Path(folder).is_dir():
            return Path(folder)
        return Path.home()

    def _remember_folder(self, archive: Path) -> None:
        if self._state is not None:
            self._state.setValue(BACKUP_FOLDER, str(archive.resolve().parent))
            self._state.sync()

    def back_up(self, target: Path | None = None) -> BackupDialog | None:
        archive = target or choose_backup_target(self._window, self.backup_folder)
        if archive is None:
            return None
        dialog = BackupDialog(
            self._service, self._worker, archive, restoring=False, parent=self._window
        )
        dialog.ended.connect(lambda ok, _sentence: self._remember_folder(archive) if ok else None)
        return self._open(dialog)

    def restore(
        self, source: Path | None = None, ask: Callable[[str], bool] | None = None
    ) -> BackupDialog | None:
        archive = source or choose_backup_source(self._window, self.backup_folder)
        if archive is None:
            return None
        dialog = BackupDialog(
            self._service,
            self._worker,
            archive,
            restoring=True,
            pause_sync=self._pause_sync,
            resume_sync=self._resume_sync,
            ask=ask,
            parent=self._window,
        )
        dialog.ended.connect(lambda ok, _sentence: self._restored() if ok else None)
        return self._open(dialog)

    def _open(self, dialog: BackupDialog) -> BackupDialog:
        self.backup = dialog
        dialog.show()
        dialog.start()
        return dialog

    def _restored(self) -> None:
        self._after_restore()
        self.refresh_notice()
        if self.dashboard is not None:
            self.dashboard.load()

    # --- the history notice -------------------------------------------------------------

    def refresh_notice(self) -> None:
        self._runner.run(self._service.retention_notice, self.show_notice)

    def show_notice(self, notice: RetentionNotice | None) -> None:
        if notice is None:
            self.banner.hide()
            return
        self.banner.setText("⏳ " + notice.sentence(datetime.now(UTC)))
        self.banner.show()
