"""Starting the window so that every start leads somewhere.

A problem met on the way (no keychain, a broken settings file, a database that
does not answer) is shown in a window with what to do and the buttons that do
it, then the start is tried again as chosen.  Quit ends as before, with the
sentence on stderr for whoever started the app from a terminal; "no screen at
all" goes to stderr alone.
"""

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.screen import NoScreen, check_screen, qt_style_named
from snorq_desktop.boot.settings import Settings, SettingsUnreadable
from snorq_desktop.boot.sign_in_window import DemoWanted
from snorq_desktop.boot.window import run_window
from snorq_desktop.domain.errors import (
    DatabaseUnavailable,
    EmbeddedDatabaseError,
    InvalidDatabaseUrl,
    KeychainUnavailable,
    KnownError,
    SchemaNotReady,
    SchemaTooNew,
)
from snorq_desktop.ui.qt_messages import route_qt_messages_to_logging
from snorq_desktop.ui.startup_problem import Choice, Problem, StartupProblemDialog

log = logging.getLogger(__name__)

# What the person sees of a problem and chooses; replaced in tests.
Ask = Callable[[Problem, KnownError, bool], Choice]


def kind_of(problem: KnownError) -> Problem:
    if isinstance(problem, KeychainUnavailable):
        return Problem.NO_KEYCHAIN
    if isinstance(problem, SettingsUnreadable):
        return Problem.BROKEN_SETTINGS
    database_problems = (
        DatabaseUnavailable,
        InvalidDatabaseUrl,
        SchemaNotReady,
        SchemaTooNew,
        EmbeddedDatabaseError,
    )
    if isinstance(problem, database_problems):
        return Problem.DATABASE
    return Problem.OTHER


def ask_in_a_window(log_file: Path, quit_after_ms: int = 0) -> Ask:
    def ask(kind: Problem, problem: KnownError, demo_offered: bool) -> Choice:
        dialog = StartupProblemDialog(
            kind, problem.sentence, demo_offered=demo_offered, log_file=str(log_file)
        )
        if quit_after_ms:  # scripts and smoke tests never wait on a person
            QTimer.singleShot(quit_after_ms, dialog.reject)
        dialog.exec()
        return dialog.choice

    return ask


def allow_key_files(paths: AppPaths) -> None:
    saved = Settings.load_file(paths.settings_file)
    replace(saved, allow_key_file=True).save(paths.settings_file)
    log.info("the sign-in and keys are kept in files only this user can read, as chosen")


def put_settings_aside(paths: AppPaths) -> Path:
    aside = paths.settings_file.with_name(f"settings.broken-{time.strftime('%Y%m%d-%H%M%S')}.json")
    paths.settings_file.replace(aside)
    log.info("the unreadable settings file was moved to %s", aside)
    return aside


def start_window(
    load_settings: Callable[[], Settings],
    paths: AppPaths,
    *,
    demo: bool,
    quit_after_ms: int = 0,
    style: str | None = None,
    ask: Ask | None = None,
) -> int:
    """Run the window until it closes; a start-up problem is asked about in a
    window and the start tried again as chosen.  Quit re-raises the problem."""
    check_screen()
    QApplication.instance() or QApplication(sys.argv[:1])
    route_qt_messages_to_logging()  # Qt's own chatter to the log, not the terminal
    if style:
        qt_style_named(style)  # a mistyped option is the typist's: stderr, no window
    ask = ask or ask_in_a_window(paths.log_file, quit_after_ms)
    while True:
        try:
            settings = load_settings()
            return run_window(settings, paths, demo=demo, quit_after_ms=quit_after_ms, style=style)
        except DemoWanted:
            log.info("the demo was chosen on the first-run screen")
            demo = True
            continue
        except NoScreen:
            raise
        except KnownError as problem:
            log.warning("start-up problem: %s", problem.sentence)
            choice = ask(kind_of(problem), problem, not demo)
            log.info("start-up problem answered with %s", choice.name)
            if choice is Choice.QUIT:
                raise
            if choice is Choice.USE_KEY_FILES:
                allow_key_files(paths)
            elif choice is Choice.DEFAULT_SETTINGS:
                put_settings_aside(paths)
            elif choice is Choice.TRY_DEMO:
                demo = True
