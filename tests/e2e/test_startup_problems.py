"""Every start without --demo leads somewhere: a start-up problem (no keychain, a
broken settings file, a database that does not answer) is shown in a window with
what to do, and the start goes on as the person chose there."""

import json
import subprocess
import sys
from dataclasses import replace

import keyring.backends.fail
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from snorq_desktop.boot import startup
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.boot.sign_in_window import DemoWanted
from snorq_desktop.domain.errors import DatabaseUnavailable, KnownError
from snorq_desktop.ui.startup_problem import Choice, Problem, StartupProblemDialog

AWAY = "postgresql://nobody@127.0.0.1:1/none"


class Person:
    """Answers the start-up problem window as scripted, and remembers what it saw."""

    def __init__(self, *answers: Choice) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[Problem, str, bool]] = []

    def __call__(self, kind: Problem, problem: KnownError, demo_offered: bool) -> Choice:
        self.seen.append((kind, problem.sentence, demo_offered))
        return self.answers.pop(0)


@pytest.fixture
def paths(tmp_path) -> AppPaths:
    made = AppPaths.resolve(tmp_path / "app")
    made.create()
    return made


def loader(paths: AppPaths, url: str):
    return lambda: replace(Settings.load(paths.settings_file), database_url=url)


def plain(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_no_keychain_offers_key_files_and_then_the_sign_in_screen(
    qapp, paths, database_url, monkeypatch
):
    monkeypatch.setattr("keyring.get_keyring", keyring.backends.fail.Keyring)
    person = Person(Choice.USE_KEY_FILES)
    code = startup.start_window(
        loader(paths, plain(database_url)), paths, demo=False, quit_after_ms=300, ask=person
    )
    assert code == 0  # the first-run screen came, and was closed
    [(kind, sentence, demo_offered)] = person.seen
    assert kind is Problem.NO_KEYCHAIN and "no system keychain" in sentence and demo_offered
    assert json.loads(paths.settings_file.read_text())["allow_key_file"] is True


def test_a_broken_settings_file_is_put_aside_for_the_default_settings(qapp, paths, database_url):
    paths.settings_file.write_text('{"send_key": "banana"}')
    person = Person(Choice.DEFAULT_SETTINGS)
    code = startup.start_window(
        loader(paths, plain(database_url)), paths, demo=False, quit_after_ms=300, ask=person
    )
    assert code == 0
    assert person.seen[0][0] is Problem.BROKEN_SETTINGS
    assert '"send_key": "banana"' in person.seen[0][1]
    [aside] = paths.config.glob("settings.broken-*.json")
    assert aside.read_text() == '{"send_key": "banana"}'  # nothing in it lost


def test_a_database_away_is_asked_about_again_until_quit(qapp, paths):
    person = Person(Choice.TRY_AGAIN, Choice.QUIT)
    with pytest.raises(DatabaseUnavailable):
        startup.start_window(loader(paths, AWAY), paths, demo=False, ask=person)
    assert [kind for kind, _, _ in person.seen] == [Problem.DATABASE, Problem.DATABASE]
    assert "Nothing accepts connections at 127.0.0.1:1" in person.seen[0][1]


def test_try_the_demo_from_a_problem_or_from_the_sign_in_screen_starts_the_demo(
    qapp, paths, monkeypatch
):
    starts: list[bool] = []

    def run_window(settings, paths, *, demo, quit_after_ms, style):
        starts.append(demo)
        if len(starts) == 1:
            raise DatabaseUnavailable("The team database does not answer.")
        if not demo:
            raise DemoWanted  # chosen on the first-run screen
        return 0

    monkeypatch.setattr(startup, "run_window", run_window)
    person = Person(Choice.TRY_DEMO)
    assert startup.start_window(Settings, paths, demo=False, ask=person) == 0
    assert starts == [False, True]
    starts.clear()
    starts.append(False)  # the first start met no problem this time
    assert startup.start_window(Settings, paths, demo=False, ask=Person()) == 0
    assert starts == [False, False, True]


def test_the_problem_window_says_what_to_do_with_a_button_for_it(qtbot):
    dialog = StartupProblemDialog(
        Problem.NO_KEYCHAIN, "This computer has no system keychain.", demo_offered=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    titles = [dialog.buttons[choice].text() for choice in dialog.buttons]
    assert titles == ["Keep them in files", "Try again", "Try the demo", "Quit"]
    assert "files that only your user account can read" in dialog.what_to_do.text()
    assert dialog.buttons[Choice.USE_KEY_FILES].isDefault()
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons[Choice.USE_KEY_FILES].click()
    assert dialog.choice is Choice.USE_KEY_FILES

    in_demo = StartupProblemDialog(Problem.DATABASE, "It failed.", demo_offered=False)
    qtbot.addWidget(in_demo)
    assert Choice.TRY_DEMO not in in_demo.buttons
    with qtbot.waitSignal(in_demo.rejected):
        in_demo.buttons[Choice.QUIT].click()
    assert in_demo.choice is Choice.QUIT


def test_the_real_window_is_shown_and_its_choice_returned(qtbot, paths):
    ask = startup.ask_in_a_window(paths.log_file)
    shown: list[str] = []

    def press_try_again() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, StartupProblemDialog)
        shown.append(dialog.sentence.text())
        dialog.buttons[Choice.TRY_AGAIN].click()

    QTimer.singleShot(200, press_try_again)
    choice = ask(Problem.DATABASE, DatabaseUnavailable("The database does not answer."), True)
    assert choice is Choice.TRY_AGAIN
    assert shown == ["The database does not answer."]


def test_started_without_a_terminal_a_broken_settings_file_shows_a_window(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text("{not json")
    result = subprocess.run(
        [sys.executable, "-m", "snorq_desktop", "--home", str(tmp_path), "--quit-after", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = (tmp_path / "logs" / "snorq-desktop.log").read_text()
    assert "start-up problem: The settings file" in log  # shown in the window first
    assert "start-up problem answered with QUIT" in log  # closed by --quit-after
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "cannot be read" in result.stderr
