"""The window's dashboard, history notice and backups, as plain values.

Dashboard reads run on the database worker.  Backups and restores are long and
run on a thread of their own (the window stays usable during a backup); they
report progress through a callback that may be called from that thread.
"""

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.analytics import Dashboard, DateRange
from snorq_desktop.domain.retention import RetentionNotice
from snorq_desktop.store import analytics, backup, retention
from snorq_desktop.store.unit_of_work import unit_of_work

Progress = Callable[[float, str], None]


class AnalyticsService:
    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        organization_id: Callable[[], str | None],
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._organization_id = organization_id

    def _org(self) -> str:
        organization = self._organization_id()
        if organization is None:
            raise LookupError("no organisation in this database")
        return organization

    # --- the dashboard ------------------------------------------------------------

    def today(self) -> date:
        with self._sessions() as session:
            return analytics.today_utc(session)

    def dashboard(self, days: DateRange) -> Dashboard:
        """Brings the rollup up to date (unless another app is at it), then reads."""
        with unit_of_work(self._sessions) as session:
            analytics.roll_up(session)
        with self._sessions() as session:
            return analytics.dashboard(session, self._org(), days)

    # --- history --------------------------------------------------------------------

    def retention_notice(self) -> RetentionNotice | None:
        with self._sessions() as session:
            return retention.retention_notice(session, self._org())

    # --- backups --------------------------------------------------------------------

    def back_up(self, archive: Path, progress: Progress) -> str:
        manifest = backup.back_up(self._engine.url, archive, progress)
        return (
            f"Backed up {manifest.messages:,} messages and {len(manifest.tables)} tables to "
            f"{archive.name} (with {backup.Manifest.path_for(archive).name} beside it)."
        )

    def check_restore(self, archive: Path) -> None:
        """Raises RestoreWouldLoseData (ask first) or BackupFailed (cannot)."""
        backup.check_restore(self._engine.url, archive)

    def restore(self, archive: Path, progress: Progress, *, confirmed: bool) -> str:
        """The caller has stopped the sync engine.  The pool's connections are let go
        before (they hold nothing a restore must wait for) and after (they may know
        the replaced tables' old types)."""
        self._engine.dispose()
        try:
            result = backup.restore(self._engine.url, archive, progress, confirmed=confirmed)
        finally:
            self._engine.dispose()
        return (
            f"Restored {result.manifest.messages:,} messages from the backup of "
            f"{result.manifest.made_at[:16].replace('T', ' ')} UTC; every table's rows were "
            "counted and match the backup."
        )
