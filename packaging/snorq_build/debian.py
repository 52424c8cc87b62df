"""The Debian package: /opt/snorq-desktop, /usr/bin/snorq-desktop, a desktop
entry, hicolor icons and a Depends line naming the system libraries the bundle
leaves to the OS (see contents.LINUX_SYSTEM_LIBRARIES)."""

import re
import shutil
import stat
import subprocess
from pathlib import Path

from snorq_build.contents import APP_NAME, DISPLAY_NAME, PUBLISHER, SUMMARY
from snorq_build.icons import IconSet

# Direct needs of the bundle's programs, libraries and Qt plugins that are not
# in the bundle (readelf NEEDED), by the package that carries them on Debian 12
# and Ubuntu 22.04 or newer.  Alternatives cover Ubuntu 24.04's "t64" renames.
# tests/packaging checks this against the built bundle with readelf and dpkg.
DEPENDS = (
    "libstdc++6",
    "libgcc-s1",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libglib2.0-0t64 | libglib2.0-0",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
)
# Text needs a font, emoji a colour one; any desktop has some.
RECOMMENDS = ("fonts-dejavu-core", "fonts-noto-color-emoji")
# Libraries that may be missing on a build machine without a Wayland session,
# and the packages that carry them.
KNOWN_SONAMES = {
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def deb_name(version: str) -> str:
    return f"{APP_NAME}_{debian_version(version)}_amd64.deb"


def debian_version(version: str) -> str:
    """PEP 440 pre-releases sort before the release in Debian only with '~'."""
    return re.sub(r"(\d)(a|b|rc|\.dev)(\d+)", r"\1~\2\3", version)


def elf_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def glibc_floor(root: Path) -> str:
    """The newest GLIBC_2.x symbol version any ELF file in the bundle asks for."""
    newest = 0
    for path in elf_files(root):
        for minor in re.findall(rb"GLIBC_2\.(\d+)", path.read_bytes()):
            newest = max(newest, int(minor))
    return f"2.{newest}"


def needed_outside(root: Path) -> set[str]:
    """Sonames the bundle's ELF files need (NEEDED) that the bundle does not carry."""
    carried = {path.name for path in root.rglob("*")}
    needed: set[str] = set()
    for path in elf_files(root):
        output = subprocess.run(
            ["readelf", "-d", str(path)], capture_output=True, text=True, check=False
        ).stdout
        needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", output))
    return {name for name in needed if name not in carried}


def control_text(version: str, installed_kib: int, libc: str) -> str:
    depends = ", ".join((f"libc6 (>= {libc})", *DEPENDS))
    return (
        f"Package: {APP_NAME}\n"
        f"Version: {debian_version(version)}\n"
        "Section: net\n"
        "Priority: optional\n"
        "Architecture: amd64\n"
        f"Maintainer: {PUBLISHER} <support@snorq.app>\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {depends}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Homepage: https://snorq.app\n"
        f"Description: {SUMMARY}\n"
        " SNORQ Desktop shows every customer conversation from TikTok, WhatsApp\n"
        " Business and Facebook Messenger in one window, shared by a small team\n"
        " through one PostgreSQL database.  It carries its own PostgreSQL server\n"
        " for a single computer.\n"
    )


def desktop_entry() -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={DISPLAY_NAME}\n"
        f"GenericName=Customer inbox\n"
        f"Comment={SUMMARY}\n"
        f"Exec={APP_NAME} %U\n"
        f"Icon={APP_NAME}\n"
        "Terminal=false\n"
        "Categories=Network;Chat;Office;\n"
        "Keywords=WhatsApp;Messenger;TikTok;inbox;customers;\n"
        f"StartupWMClass={APP_NAME}\n"
    )


def _copy_readable(source: Path, target: Path) -> None:
    """A copy of the bundle everyone may read and run (the built-in database's
    server runs as another user when the app runs as root)."""
    shutil.copytree(source, target, symlinks=True)
    for path in [target, *target.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        executable = path.is_dir() or mode & stat.S_IXUSR
        path.chmod(0o755 if executable else 0o644)


def build_deb(bundle: Path, version: str, icons: IconSet, staging: Path, out_dir: Path) -> Path:
    if staging.exists():
        shutil.rmtree(staging)
    opt = staging / "opt" / APP_NAME
    _copy_readable(bundle, opt)
    usr_bin = staging / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    # Relative, so it also works in a copy unpacked with dpkg-deb -x.
    (usr_bin / APP_NAME).symlink_to(Path("..", "..", "opt", APP_NAME, APP_NAME))
    applications = staging / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    (applications / f"{APP_NAME}.desktop").write_text(desktop_entry())
    hicolor = staging / "usr" / "share" / "icons" / "hicolor"
    for size in HICOLOR_SIZES:
        folder = hicolor / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        shutil.copyfile(icons.pngs[size], folder / f"{APP_NAME}.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copyfile(icons.svg, hicolor / "scalable" / "apps" / f"{APP_NAME}.svg")
    for path in [*(staging / "usr").rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    installed_kib = (
        sum(
            path.stat().st_size
            for path in staging.rglob("*")
            if path.is_file() and not path.is_symlink()
        )
        // 1024
    )
    debian = staging / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control_text(version, installed_kib, glibc_floor(opt)))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / deb_name(version)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(staging), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return target
