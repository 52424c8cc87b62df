"""Renders the first-run screen and Team ▸ Members… from the demo database.

QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_team.py [OUT_DIR]
"""

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from snorq_desktop.boot.accounts import AccountFlow, SignedInHere
from snorq_desktop.boot.app import open_plumbing
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.boot.window import open_demo
from snorq_desktop.secrets.account import SignedInAccount
from snorq_desktop.services.team import TeamService
from snorq_desktop.store.identity import default_identity
from snorq_desktop.ui.first_run import FirstRunDialog
from snorq_desktop.ui.members import MembersDialog
from snorq_desktop.ui.tasks import TaskRunner


def settle(app: QApplication, runner: TaskRunner, seconds: float = 0.5) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or runner.pending:
        app.processEvents()
        time.sleep(0.01)


def shoot(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    plumbing = open_plumbing()
    runner = TaskRunner(plumbing.worker)
    with tempfile.TemporaryDirectory(prefix="snorq-shots-") as home:
        Path(home).chmod(0o755)
        paths = AppPaths.resolve(home)
        paths.create()
        with open_demo(paths) as demo:
            welcome = FirstRunDialog(
                AccountFlow(Settings(), paths, demo.database, plumbing.http), runner
            )
            welcome.show()
            settle(app, runner)
            shoot(welcome, out / "first-run-sign-in.png")
            account = SignedInAccount("g-sam", "sam@example.com", "Sam Rivera")
            here = SignedInHere(account, "unused", None)
            onboarding = FirstRunDialog(
                AccountFlow(Settings(), paths, demo.database, plumbing.http, signed_in=here),
                runner,
                signed_in=True,
            )
            onboarding.show()
            onboarding.org_name.setText("Sam's Plant Shop")
            settle(app, runner, 1.0)
            shoot(onboarding, out / "first-run-onboarding.png")
            service = TeamService(demo.database.sessions)
            with demo.database.sessions() as session:
                owner = default_identity(session)
            assert owner is not None
            members = MembersDialog(service, runner, owner)
            members.show()
            settle(app, runner)
            members.table.selectRow(1)
            settle(app, runner)
            shoot(members, out / "members.png")
    runner.stop()
    plumbing.close()


if __name__ == "__main__":
    main()
