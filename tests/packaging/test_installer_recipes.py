"""What can be checked here of the installers for every OS: the icon set, the
Windows and macOS recipes filled from the project, the list of Qt modules, the
.deb's control data.  (tests/packaging/test_linux_bundle.py builds the real thing.)"""

import plistlib
import re
import struct
import tomllib
from pathlib import Path

from PySide6.QtGui import QImageReader
from snorq_build.contents import (
    APP_NAME,
    BUNDLE_ID,
    DISPLAY_NAME,
    MACOS_MINIMUM,
    PUBLISHER,
    QT_MODULES_EXCLUDED,
    QT_MODULES_USED,
    ROOT,
)
from snorq_build.debian import DEPENDS, control_text, debian_version, desktop_entry
from snorq_build.icons import ICNS_TYPES, ICO_SIZES, PNG_SIZES, make_icon_set
from snorq_build.templates import numeric_version, project_version, render_info_plist, render_iss

SPEC = ROOT / "packaging" / "snorq-desktop.spec"


def pyproject_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def test_the_build_takes_its_version_from_the_project():
    assert project_version() == pyproject_version()


def test_the_icon_set_has_every_size_for_every_os(tmp_path):
    icons = make_icon_set(tmp_path)
    for size, path in icons.pngs.items():
        reader = QImageReader(str(path))
        assert reader.format() == b"png"
        assert (reader.size().width(), reader.size().height()) == (size, size)
    assert sorted(icons.pngs) == sorted(PNG_SIZES)

    reader = QImageReader(str(icons.ico))
    assert reader.format() == b"ico"
    sizes = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        sizes.append(reader.read().width())
    assert sorted(sizes) == sorted(ICO_SIZES)

    data = icons.icns.read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    kinds, offset = [], 8
    while offset < len(data):
        kind, length = (
            data[offset : offset + 4],
            struct.unpack(">I", data[offset + 4 : offset + 8])[0],
        )
        assert data[offset + 8 : offset + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind)
        offset += length
    assert kinds == [kind for kind, _ in ICNS_TYPES]


def test_the_macos_info_plist_carries_the_version_and_high_dpi(tmp_path):
    info = plistlib.loads(render_info_plist().encode())
    version = pyproject_version()
    assert info["CFBundleVersion"] == version
    assert info["CFBundleShortVersionString"] == numeric_version(version)
    assert info["CFBundleIdentifier"] == BUNDLE_ID
    assert info["CFBundleName"] == DISPLAY_NAME
    assert info["LSMinimumSystemVersion"] == MACOS_MINIMUM
    assert info["NSHighResolutionCapable"] is True
    # The executable and icon the spec's BUNDLE puts into the .app.
    assert info["CFBundleExecutable"] == APP_NAME
    assert info["CFBundleIconFile"] == make_icon_set(tmp_path).icns.name
    assert "BUNDLE(" in SPEC.read_text() and "render_info_plist" in SPEC.read_text()


def test_the_windows_installer_is_per_user_with_start_menu_and_uninstaller(tmp_path):
    icons = make_icon_set(tmp_path / "icons")
    bundle = tmp_path / "dist" / APP_NAME
    bundle.mkdir(parents=True)
    script = render_iss(
        pyproject_version(), bundle=bundle, icon=icons.ico, output_dir=tmp_path / "dist"
    )
    assert "${" not in script, "a template field was left unfilled"
    defines = dict(re.findall(r'^#define (\w+) "([^"]*)"', script, re.MULTILINE))
    assert defines == {
        "AppName": DISPLAY_NAME,
        "AppVersion": pyproject_version(),
        "AppPublisher": PUBLISHER,
        "AppExe": f"{APP_NAME}.exe",  # PyInstaller's EXE named APP_NAME, on Windows
    }
    settings = dict(re.findall(r"^(\w+)=(.*)$", script, re.MULTILINE))
    assert settings["PrivilegesRequired"] == "lowest"
    assert settings["VersionInfoVersion"] == numeric_version(pyproject_version()) + ".0"
    assert settings["Uninstallable"] == "yes"
    assert settings["UninstallDisplayIcon"] == r"{app}\{#AppExe}"
    assert re.search(r'^Name: "\{autoprograms\}\\\{#AppName\}"', script, re.MULTILINE)
    # Every file it names exists.
    assert Path(settings["SetupIconFile"]).is_file()
    sources = re.findall(r'^Source: "([^"]+)"', script, re.MULTILINE)
    assert sources == [f"{bundle.resolve()}\\*"]
    assert "name=APP_NAME" in SPEC.read_text()


def test_the_qt_modules_kept_are_the_ones_the_app_imports():
    imported = set()
    for path in (ROOT / "snorq_desktop").rglob("*.py"):
        imported.update(re.findall(r"\bPySide6\.(Qt\w+)", path.read_text()))
    assert imported == set(QT_MODULES_USED)
    assert imported.isdisjoint(QT_MODULES_EXCLUDED)


def test_the_debian_control_names_the_version_and_the_libraries():
    control = control_text("1.2.0rc1", 1234, "2.35")
    fields = dict(re.findall(r"^([\w-]+): (.*)$", control, re.MULTILINE))
    assert fields["Package"] == APP_NAME
    assert fields["Version"] == "1.2.0~rc1" == debian_version("1.2.0rc1")
    assert fields["Installed-Size"] == "1234"
    depends = [clause.strip() for clause in fields["Depends"].split(",")]
    assert depends[0] == "libc6 (>= 2.35)"
    assert depends[1:] == list(DEPENDS)
    for needed in ("libxcb-cursor0", "libegl1", "libfontconfig1", "libxkbcommon-x11-0"):
        assert needed in depends
    entry = desktop_entry()
    assert f"Exec={APP_NAME} %U" in entry and f"Icon={APP_NAME}" in entry
