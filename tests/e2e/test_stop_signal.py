"""SIGTERM closes the app as closing its window does: the demo's own PostgreSQL
stops with it instead of outliving it; and Qt's -style option is taken."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def wait_for(path: Path, words: str, process: subprocess.Popen[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and words in path.read_text():
            return
        if process.poll() is not None:
            raise AssertionError(f"the app exited early: {process.stderr.read()[-2000:]}")  # type: ignore[union-attr]
        time.sleep(0.2)
    raise AssertionError(f"{words!r} never appeared in {path}")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie left to be reaped is a stopped process


def test_sigterm_stops_the_demo_and_its_postgres(tmp_path):
    home = tmp_path / "home"
    app = subprocess.Popen(
        [sys.executable, "-m", "snorq_desktop", "--home", str(home), "--demo", "-style", "fusion"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    log = home / "logs" / "snorq-desktop.log"
    pid_file = home / "data" / "demo-postgres" / "pgdata" / "postmaster.pid"
    try:
        wait_for(log, "window shown on the demo database", app, 180)
        server = int(pid_file.read_text().split()[0])
        assert alive(server)
        app.send_signal(signal.SIGTERM)
        _, errors = app.communicate(timeout=120)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()  # close the pipes, or their warnings land on the next test
    assert app.returncode == 0, errors[-2000:]
    assert "Traceback" not in errors
    text = log.read_text()
    assert "stopping on SIGTERM" in text
    assert "built-in database stopped" in text, text[-3000:]
    assert "Qt style: Fusion" in text  # -style NAME was taken, not refused as an unknown option
    assert not pid_file.exists()
    assert not alive(server), "the demo's PostgreSQL outlived the app"


def test_an_unknown_qt_style_is_one_sentence_naming_the_styles(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snorq_desktop",
            "--home",
            str(tmp_path),
            "-style",
            "Nope",
            "--demo",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 1
    assert "Qt has no style named 'Nope' here; choose one of:" in result.stderr
    assert "Fusion" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "data" / "demo-postgres").exists()  # refused before starting anything
