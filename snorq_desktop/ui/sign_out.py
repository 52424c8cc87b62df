"""Team ▸ Sign out…: forget the Google sign-in on this computer, then close;
the next start asks who you are (the first-run screen).  And the question
asked when the window closes with replies still sending."""

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from snorq_desktop.ui.tasks import TaskRunner


def add_sign_out_menu(
    menu: QMenu, window: QWidget, runner: TaskRunner, who: str, sign_out: Callable[[], object]
) -> QAction:
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


def ask_before_closing(window: QWidget) -> Callable[[int], bool]:
    """The question the window asks when it closes with replies still sending."""

    def ask(unsent: int) -> bool:
        replies = "1 reply is" if unsent == 1 else f"{unsent} replies are"
        answer = QMessageBox.question(
            window,
            "Replies still sending",
            f"{replies} still sending. They are kept, and go out the next time SNORQ "
            "Desktop runs (or from a teammate's app). Close anyway?",
        )
        return answer == QMessageBox.StandardButton.Yes

    return ask
