"""The options every command takes work where people type them: after the
command as well as before it, in a real process; and the advice `db status`
prints is a command that works as written."""

import shlex
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL

COMMAND = [sys.executable, "-m", "snorq_desktop"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=120, check=False
    )


def plain(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_db_status_then_the_upgrade_it_advises_with_the_url_after_the_command(
    empty_database, tmp_path
):
    url = plain(empty_database)
    home = str(tmp_path / "elsewhere")
    status = run("db", "status", "--database-url", url, "--home", home)
    assert status.returncode == 0, status.stderr
    assert "usage:" not in status.stderr
    assert "migration(s) to apply" in status.stdout
    [advice] = [line for line in status.stdout.splitlines() if "run `" in line]
    advised = shlex.split(advice.split("`")[1])
    assert advised[:3] == ["snorq-desktop", "db", "upgrade"]
    assert url in advised and home in advised

    upgraded = run(*advised[1:])  # exactly as printed, through this interpreter
    assert upgraded.returncode == 0, upgraded.stderr
    assert "is at schema" in upgraded.stdout
    again = run("db", "status", "--database-url", url)
    assert "state:    up to date" in again.stdout
    assert (Path(home) / "config").is_dir()  # --home after the command, too


def test_sync_once_with_the_url_after_the_command(database_url, tmp_path):
    result = run("sync", "--once", "--database-url", plain(database_url), "--verbose")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Stored 0 new message(s)")


def test_login_with_home_after_the_command_uses_that_home(tmp_path):
    home = tmp_path / "chosen"
    # No Google client is configured in the test environment: login says so in a
    # sentence (not argparse's usage), having made its folders under the chosen home.
    result = run("login", "--home", str(home), "--timeout", "1")
    assert "usage:" not in result.stderr
    assert "unrecognized arguments" not in result.stderr
    assert "Traceback" not in result.stderr
    assert (home / "config").is_dir()
    assert not (tmp_path / "home" / "logs").exists()  # SNORQ_HOME, the default, untouched


def test_an_option_after_the_command_overrides_the_same_one_before(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    result = run(
        "--home",
        str(first),
        "db",
        "status",
        "--home",
        str(second),
        "--database-url",
        "postgresql://nobody@127.0.0.1:1/none",
    )
    assert result.returncode == 1
    assert "Nothing accepts connections at 127.0.0.1:1" in result.stderr
    assert (second / "logs").is_dir() and not first.exists()
