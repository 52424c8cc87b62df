"""Before the main window: who is signed in, and in which organisation; the
first-run screen when either is missing (composition root, with Qt)."""

from dataclasses import dataclass

from PySide6.QtCore import QTimer

from snorq_desktop.boot.accounts import AccountFlow, signed_in_here
from snorq_desktop.boot.app import Database, Plumbing
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.ui.first_run import FirstRunDialog
from snorq_desktop.ui.tasks import TaskRunner


class DemoWanted(Exception):
    """The person chose "Try the demo" on the first-run screen: the caller closes
    what it opened and starts the demo instead."""


@dataclass(frozen=True)
class Started:
    user_id: str
    settings: Settings  # a team joined on the first-run screen changes the database
    who: str  # the signed-in person, for the window ("maya@example.com")


def signed_in_or_first_run(
    settings: Settings,
    paths: AppPaths,
    database: Database,
    plumbing: Plumbing,
    *,
    quit_after_ms: int = 0,
) -> Started | None:
    """The signed-in user's id in ``database``; None if the person closed the screen
    (or ``quit_after_ms`` passed: scripts and smoke tests); :class:`DemoWanted`
    raised if they chose the demo there."""
    here = signed_in_here(settings, paths, database, plumbing.http)
    if here is not None and here.identity is not None:
        return Started(here.user_id, settings, here.account.email)
    flow = AccountFlow(settings, paths, database, plumbing.http, signed_in=here)
    # A runner of its own on the app's worker: it ends with the screen.
    runner = TaskRunner(plumbing.worker)
    try:
        dialog = FirstRunDialog(flow, runner, signed_in=here is not None)
        if quit_after_ms:
            QTimer.singleShot(quit_after_ms, dialog.reject)
        accepted = dialog.exec() == FirstRunDialog.DialogCode.Accepted
    finally:
        runner.stop()
    if dialog.wants_demo:
        raise DemoWanted
    if not accepted or dialog.identity is None:
        return None
    who = flow.account.email if flow.account else dialog.identity.user_name
    return Started(dialog.identity.user_id, flow.settings, who)
