"""The command line as a user meets it: a real process, one clear line per mistake."""

import os
import subprocess
import sys

import pytest


def run(*args: str, home) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snorq_desktop", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version(tmp_path):
    from snorq_desktop import __version__

    result = run("--version", home=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, f"snorq-desktop {__version__}")


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("not a url", "is not a URL"),
        ("mysql://user@localhost/shop", "must be a PostgreSQL URL"),
        ("postgresql://user@127.0.0.1:5432", "names no database"),
        ("postgresql://postgres@127.0.0.1:1/snorq", "Nothing accepts connections at 127.0.0.1:1"),
    ],
)
def test_a_bad_database_url_ends_in_one_clear_line(tmp_path, url, sentence):
    result = run("--database-url", url, "db", "status", home=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert sentence in result.stderr


def test_a_wrong_password_or_database_name_is_named_as_such(tmp_path, server_url):
    wrong_password = server_url.set(password="not-the-password").render_as_string(
        hide_password=False
    )
    result = run("--database-url", wrong_password, "db", "status", home=tmp_path)
    assert result.returncode == 1
    assert "refused user 'postgres': the password is wrong" in result.stderr
    assert "not-the-password" not in result.stderr
    missing = server_url.set(database="no_such_db").render_as_string(hide_password=False)
    result = run("--database-url", missing, "db", "status", home=tmp_path)
    assert "There is no database named 'no_such_db'" in result.stderr


def test_the_database_url_also_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SNORQ_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/snorq")
    result = run("db", "status", home=tmp_path)
    assert "Nothing accepts connections at 127.0.0.1:1" in result.stderr


def test_help_lists_the_commands_and_the_window_options(tmp_path):
    result = run("--help", home=tmp_path)
    assert result.returncode == 0
    for word in ("db", "keys", "--demo", "--database-url", "--home", "--quit-after"):
        assert word in result.stdout


def test_without_a_screen_the_window_says_how_to_run(tmp_path, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    result = run("--demo", home=tmp_path)
    assert result.returncode == 1
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_window_syncs_on_qts_own_loop_and_quits_cleanly(tmp_path):
    """The real start-up path: one qasync loop for Qt and the sync engine.  While
    the demo runs, its waiting reply goes out to the fake platform and customers'
    webhooks are stored; then it quits with the exit code 0."""
    from sqlalchemy import func, or_, select

    from snorq_desktop.boot.demo_database import open_demo
    from snorq_desktop.boot.paths import AppPaths
    from snorq_desktop.domain.enums import MessageStatus
    from snorq_desktop.store.models import Message, WebhookEvent

    tmp_path.chmod(0o755)  # the built-in server may run as another user (root here)
    command = [sys.executable, "-m", "snorq_desktop", "--home", str(tmp_path)]
    result = subprocess.run(
        [*command, "--demo", "--quit-after", "12"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    with open_demo(AppPaths.resolve(tmp_path)) as demo, demo.database.sessions() as session:
        pending = session.execute(
            select(func.count()).where(
                Message.status == MessageStatus.PENDING,
                # not the demo's reply scheduled for later (#17.4): it waits, as it should
                or_(Message.send_at.is_(None), Message.send_at <= func.now()),
            )
        ).scalar_one()
        stored = session.execute(
            select(func.count()).where(WebhookEvent.processed_at.isnot(None))
        ).scalar_one()
    assert pending == 0  # the seeded waiting reply was handed to its platform
    assert stored >= 1  # a customer wrote through the relay and the app stored it
