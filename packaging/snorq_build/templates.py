"""The Windows installer script and the macOS Info.plist, filled in from the
project: the version from the package metadata, names from contents.py."""

import re
import string
import tomllib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from importlib.util import find_spec
from pathlib import Path

from snorq_build.contents import (
    APP_NAME,
    BUNDLE_ID,
    DISPLAY_NAME,
    MACOS_MINIMUM,
    PACKAGING,
    PUBLISHER,
    ROOT,
)

ISS_TEMPLATE = PACKAGING / "windows" / "snorq-desktop.iss.in"
PLIST_TEMPLATE = PACKAGING / "macos" / "Info.plist.in"


class StaleInstall(Exception):
    """The installed package's metadata (what the bundle will report) differs from pyproject."""


def project_version() -> str:
    """The version in pyproject.toml, checked against the installed metadata,
    which is what the bundle carries and `--version` prints."""
    declared = str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])
    if find_spec("PyInstaller") is None:
        raise StaleInstall(
            "PyInstaller is not installed in this Python: run `pip install -e '.[desktop,dev]'`."
        )
    try:
        installed = installed_version(APP_NAME)
    except PackageNotFoundError:
        raise StaleInstall(
            f"{APP_NAME} is not installed in this Python: run `pip install -e '.[desktop]'` first."
        ) from None
    if installed != declared:
        raise StaleInstall(
            f"pyproject.toml says {declared} but the installed {APP_NAME} is {installed}: "
            "run `pip install -e '.[desktop]'` again so the bundle reports the right version."
        )
    return declared


def numeric_version(version: str) -> str:
    """Four numbers for Windows' file version and three for macOS's short version."""
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    return ".".join(str(number) for number in [*numbers, 0, 0, 0][:3])


def _fields(version: str) -> dict[str, str]:
    return {
        "version": version,
        "numeric_version": numeric_version(version),
        "app_name": APP_NAME,
        "display_name": DISPLAY_NAME,
        "publisher": PUBLISHER,
        "bundle_id": BUNDLE_ID,
        "macos_minimum": MACOS_MINIMUM,
    }


def render_iss(version: str, *, bundle: Path, icon: Path, output_dir: Path) -> str:
    fields = _fields(version)
    fields["numeric_version"] += ".0"
    fields.update(
        bundle=str(bundle.resolve()), icon=str(icon.resolve()), output_dir=str(output_dir.resolve())
    )
    return string.Template(ISS_TEMPLATE.read_text()).substitute(fields)


def render_info_plist(version: str | None = None) -> str:
    return string.Template(PLIST_TEMPLATE.read_text()).substitute(
        _fields(version or project_version())
    )
