"""`pip install .` as a user types it: the wheel built from the source tree,
installed (not editable) into a fresh virtual environment, starts the demo
window offscreen and closes it cleanly.  The wheel must carry everything the
app reads from files (icons, migrations): nothing may come from the tree."""

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ICONS = ("snorq", "tiktok", "whatsapp", "facebook")


def run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)  # type: ignore[call-overload]


def test_the_installed_wheel_starts_the_demo_window(tmp_path):
    built = run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = tmp_path.glob("snorq_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for icon in ICONS:
        assert f"snorq_desktop/resources/icons/{icon}.svg" in names
    assert "snorq_desktop/migrations/env.py" in names

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    installed = run([str(python), "-m", "pip", "install", "-q", str(wheel)], timeout=900)
    assert installed.returncode == 0, installed.stderr[-3000:]

    # Away from the source tree, so nothing can be found there by accident.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SNORQ_"))}
    where = run(
        [str(python), "-c", "import snorq_desktop; print(snorq_desktop.__file__)"],
        cwd=elsewhere,
        env=clean,
    )
    assert where.stdout.strip().startswith(str(environment)), where

    home = tmp_path / "home"
    demo = run(
        [str(environment / "bin" / "snorq-desktop"), "--demo", "--quit-after", "3"],
        cwd=elsewhere,
        env={**clean, "QT_QPA_PLATFORM": "offscreen", "SNORQ_HOME": str(home)},
        timeout=300,
    )
    output = demo.stdout + demo.stderr
    log = home / "logs" / "snorq-desktop.log"
    assert demo.returncode == 0, output[-3000:]
    assert "Traceback" not in output
    assert "Traceback" not in log.read_text()
    assert "window shown on the demo database" in log.read_text()
