"""Team ▸ Sign out…: forget the Google sign-in on this computer, then close;
the next start asks who you are (the first-run screen)."""

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.team_menu import team_menu


def add_sign_out_menu(
    window: QMainWindow, runner: TaskRunner, who: str, sign_out: Callable[[], object]
) -> QAction:
    menu = team_menu(window)
    menu.addSeparator()
    action = menu.addAction(f"Sign out {who}…")
    action.setObjectName("signOutAction")

    def confirm() -> None:
        answer = QMessageBox.question(
            window,
            "Sign out",
            f"Sign {who} out of SNORQ Desktop on this computer? The window closes; the next "
            "start asks you to sign in again. Nothing in the team's database changes.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            action.setEnabled(False)
            # Off the window's thread: telling Google may take a few seconds.
            runner.run(sign_out, lambda _: QApplication.quit())

    action.triggered.connect(confirm)
    return action
