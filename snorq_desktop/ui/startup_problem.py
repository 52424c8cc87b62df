"""What SNORQ Desktop shows when it cannot start: the problem in a sentence, what
to do about it, and the buttons that do it.

Started from the applications menu there is no terminal to read, so a problem
only printed to stderr would look like an app that never opened.
"""

from enum import Enum, auto

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from snorq_desktop.ui.window_fit import grows_with_its_text


class Problem(Enum):
    """The kinds of start-up problem, each with its own way out."""

    NO_KEYCHAIN = auto()
    BROKEN_SETTINGS = auto()
    DATABASE = auto()
    OTHER = auto()


class Choice(Enum):
    QUIT = auto()
    TRY_AGAIN = auto()
    TRY_DEMO = auto()
    USE_KEY_FILES = auto()  # keep the sign-in and keys in files only this user can read
    DEFAULT_SETTINGS = auto()  # put the broken settings file aside and start without it


_WHAT_TO_DO = {
    Problem.NO_KEYCHAIN: (
        "SNORQ Desktop keeps your sign-in and the key to your platform tokens in the system "
        "keychain. Without one (GNOME Keyring, KWallet) it can keep them in files that only "
        "your user account can read instead."
    ),
    Problem.BROKEN_SETTINGS: (
        "Correct the settings file in a text editor and try again, or start with the default "
        "settings: the broken file is kept beside it, renamed, so nothing in it is lost."
    ),
    Problem.DATABASE: (
        "Check that the database server is running and that this computer can reach it "
        "(network, VPN), then try again."
    ),
    Problem.OTHER: "Fix what it says, then try again.",
}

_FIXES = {
    Problem.NO_KEYCHAIN: (Choice.USE_KEY_FILES, "Keep them in files"),
    Problem.BROKEN_SETTINGS: (Choice.DEFAULT_SETTINGS, "Start with default settings"),
}


class StartupProblemDialog(QDialog):
    """Modal; :attr:`choice` says which way out the person took (QUIT if closed)."""

    def __init__(
        self,
        problem: Problem,
        sentence: str,
        *,
        demo_offered: bool,
        log_file: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.problem = problem
        self.choice = Choice.QUIT
        self.setWindowTitle("SNORQ Desktop could not start")
        self.setMinimumWidth(480)
        grows_with_its_text(self)
        self.sentence = QLabel(sentence, self)
        self.sentence.setObjectName("startupProblem")
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sentence.setStyleSheet("font-weight:600")
        self.what_to_do = QLabel(_WHAT_TO_DO[problem], self)
        self.what_to_do.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sentence)
        layout.addWidget(self.what_to_do)
        if demo_offered:
            demo_note = QLabel(
                "Or look around first: the demo runs on its own sample shop and needs none of it.",
                self,
            )
            demo_note.setWordWrap(True)
            layout.addWidget(demo_note)
        if log_file:
            details = QLabel(f"Details are in {log_file}.", self)
            details.setWordWrap(True)
            details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            details.setStyleSheet("color:gray")
            layout.addWidget(details)

        self.buttons: dict[Choice, QPushButton] = {}
        row = QHBoxLayout()
        fix = _FIXES.get(problem)
        if fix is not None:
            self._add(row, *fix)
        self._add(row, Choice.TRY_AGAIN, "Try again")
        if demo_offered:
            self._add(row, Choice.TRY_DEMO, "Try the demo")
        row.addStretch(1)
        self._add(row, Choice.QUIT, "Quit")
        layout.addLayout(row)
        first = self.buttons[fix[0] if fix is not None else Choice.TRY_AGAIN]
        first.setDefault(True)
        first.setFocus()

    def _add(self, row: QHBoxLayout, choice: Choice, title: str) -> None:
        button = QPushButton(title, self)
        button.clicked.connect(lambda: self._chose(choice))
        self.buttons[choice] = button
        row.addWidget(button)

    def _chose(self, choice: Choice) -> None:
        self.choice = choice
        if choice is Choice.QUIT:
            self.reject()
        else:
            self.accept()
