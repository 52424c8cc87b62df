"""Builds SNORQ Desktop's installers.

    python packaging/build.py bundle    the PyInstaller folder: dist/snorq-desktop/
    python packaging/build.py tar       the bundle, then
                                        dist/snorq-desktop-<version>-linux-x86_64.tar.gz
    python packaging/build.py deb       the bundle, the .tar.gz, then
                                        dist/snorq-desktop_<version>_amd64.deb
    python packaging/build.py windows   (on Windows) the bundle, then the Inno Setup installer
    python packaging/build.py mac       (on macOS) the .app, then the .dmg
    python packaging/build.py iss|plist only render the Windows script / the Info.plist

Run it with the Python that has SNORQ Desktop installed with its desktop and
dev extras (`pip install -e '.[desktop,dev]'`); packaging/README.md has the
steps per OS.  Every target prints what it made, its size and how long it took;
the Linux ones also start the bundled app on the demo and print how long the
window took to show (--skip-start leaves that out).
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from snorq_build.contents import APP_NAME, DISPLAY_NAME, PACKAGING, ROOT, bundle_executable
from snorq_build.debian import build_deb
from snorq_build.icons import IconSet, make_icon_set
from snorq_build.templates import StaleInstall, project_version, render_info_plist, render_iss

SPEC = PACKAGING / "snorq-desktop.spec"


class Build:
    def __init__(self, dist: Path, work: Path, *, skip_start: bool) -> None:
        self.dist = dist
        self.work = work
        self.skip_start = skip_start
        self.version = project_version()
        self.started = time.monotonic()
        self.report: list[str] = []

    @property
    def bundle(self) -> Path:
        return self.dist / APP_NAME

    def note(self, line: str) -> None:
        print(line, flush=True)
        self.report.append(line)

    def icons(self) -> IconSet:
        return make_icon_set(self.work / "icons")

    def build_bundle(self) -> Path:
        began = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level",
                "WARN",
                "--distpath",
                str(self.dist),
                "--workpath",
                str(self.work / "pyinstaller"),
                str(SPEC),
            ],
            check=True,
        )
        self.note(
            f"bundle   {self.bundle}  {_megabytes(_tree_size(self.bundle))}  "
            f"built in {time.monotonic() - began:.1f} s"
        )
        if sys.platform.startswith("linux") and not self.skip_start:
            self.measure_start()
        return self.bundle

    def measure_start(self) -> None:
        """Seconds from starting the bundled app to its demo window, first and
        later start, beside the same app run from source as the baseline."""
        bundled = [str(bundle_executable(self.bundle))]
        from_source = [sys.executable, "-m", "snorq_desktop"]
        with (
            tempfile.TemporaryDirectory(prefix="snorq-start-") as home,
            tempfile.TemporaryDirectory(prefix="snorq-start-source-") as source_home,
        ):
            for folder in (home, source_home):
                # As root the built-in server runs as `postgres`, which must walk into it.
                os.chmod(folder, 0o755)  # noqa: S103
            for label in ("first start (creates the demo database)", "later start"):
                seconds = time_to_window(bundled, Path(home))
                baseline = time_to_window(from_source, Path(source_home))
                self.note(
                    f"start    {label}: window shown after {seconds:.2f} s "
                    f"(from source {baseline:.2f} s, ratio {seconds / baseline:.2f})"
                )

    def tar(self) -> Path:
        target = self.dist / f"{APP_NAME}-{self.version}-linux-{platform.machine()}.tar.gz"
        with tarfile.open(target, "w:gz", compresslevel=6) as archive:
            archive.add(self.bundle, arcname=APP_NAME)
        self.note(f"tar.gz   {target}  {_megabytes(target.stat().st_size)}")
        return target

    def deb(self) -> Path:
        began = time.monotonic()
        target = build_deb(self.bundle, self.version, self.icons(), self.work / "deb", self.dist)
        self.note(
            f"deb      {target}  {_megabytes(target.stat().st_size)}  "
            f"packed in {time.monotonic() - began:.1f} s"
        )
        return target

    def iss(self) -> Path:
        target = self.work / "windows" / f"{APP_NAME}.iss"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = render_iss(
            self.version, bundle=self.bundle, icon=self.icons().ico, output_dir=self.dist
        )
        target.write_text(text, encoding="utf-8")
        self.note(f"iss      {target}")
        return target

    def windows_installer(self) -> None:
        script = self.iss()
        compiler = shutil.which("iscc") or shutil.which("ISCC")
        if compiler is None:
            self.note(f"iscc is not on PATH: install Inno Setup 6, then run: iscc {script}")
            return
        subprocess.run([compiler, str(script)], check=True)
        for setup in self.dist.glob(f"{APP_NAME}-{self.version}-*-setup.exe"):
            self.note(f"setup    {setup}  {_megabytes(setup.stat().st_size)}")

    def plist(self) -> Path:
        target = self.work / "macos" / "Info.plist"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_info_plist(self.version), encoding="utf-8")
        self.note(f"plist    {target}")
        return target

    def dmg(self) -> Path:
        app = self.dist / f"{DISPLAY_NAME}.app"
        staging = self.work / "dmg"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        subprocess.run(["ditto", str(app), str(staging / app.name)], check=True)
        (staging / "Applications").symlink_to("/Applications")
        target = self.dist / f"{APP_NAME}-{self.version}-macos-{platform.machine()}.dmg"
        target.unlink(missing_ok=True)
        subprocess.run(
            [
                "hdiutil",
                "create",
                "-volname",
                DISPLAY_NAME,
                "-srcfolder",
                str(staging),
                "-format",
                "UDZO",
                "-ov",
                str(target),
            ],
            check=True,
        )
        self.note(f"dmg      {target}  {_megabytes(target.stat().st_size)}")
        return target

    def finish(self) -> None:
        self.note(f"total    {time.monotonic() - self.started:.1f} s for version {self.version}")


def time_to_window(command: list[str], home: Path, timeout: float = 120) -> float:
    """Starts ``command --demo`` offscreen and returns the seconds until its log
    says the window is shown; the app then quits by itself."""
    log = home / "logs" / f"{APP_NAME}.log"
    seen = log.read_text().count("window shown") if log.exists() else 0
    began = time.monotonic()
    process = subprocess.Popen(
        [*command, "--home", str(home), "--demo", "--quit-after", "1"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    shown: float | None = None
    while time.monotonic() - began < timeout:
        if shown is None and log.exists() and log.read_text().count("window shown") > seen:
            shown = time.monotonic() - began
        if process.poll() is not None:
            break
        time.sleep(0.02)
    else:
        process.kill()
    _, errors = process.communicate()
    if process.returncode != 0 or shown is None:
        raise SystemExit(f"the bundled app did not show its window: {errors.strip()}")
    return shown


def _tree_size(folder: Path) -> int:
    """Bytes on disk, each file once (the bundle links some libraries by symlink)."""
    return sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _bundle(build: Build) -> None:
    build.build_bundle()


def _tar(build: Build) -> None:
    build.build_bundle()
    build.tar()


def _deb(build: Build) -> None:
    build.build_bundle()
    build.tar()
    build.deb()


def _windows(build: Build) -> None:
    build.build_bundle()
    build.windows_installer()


def _mac(build: Build) -> None:
    build.plist()
    build.build_bundle()
    build.dmg()


def _iss(build: Build) -> None:
    build.iss()


def _plist(build: Build) -> None:
    build.plist()


TARGETS: dict[str, Callable[[Build], None]] = {
    "bundle": _bundle,
    "tar": _tar,
    "deb": _deb,
    "windows": _windows,
    "mac": _mac,
    "iss": _iss,
    "plist": _plist,
}
NEEDS = {"deb": "linux", "tar": "linux", "windows": "win32", "mac": "darwin"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where results go")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch folder")
    parser.add_argument(
        "--skip-start", action="store_true", help="do not start the bundled app to time it"
    )
    arguments = parser.parse_args(argv)
    needed = NEEDS.get(arguments.target)
    if needed and not sys.platform.startswith(needed):
        print(f"build.py: `{arguments.target}` is built on {needed} only.", file=sys.stderr)
        return 2
    try:
        build = Build(
            arguments.dist.resolve(), arguments.work.resolve(), skip_start=arguments.skip_start
        )
    except StaleInstall as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 1
    TARGETS[arguments.target](build)
    build.finish()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
