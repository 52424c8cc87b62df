"""The app's icon set for every OS, drawn at build time from
snorq_desktop/resources/icons/snorq.svg.

Nothing generated is committed: the SVG is the one source, and Qt (already a
dependency) renders it.  .ico and .icns are simple containers of PNG images,
written here rather than pulling in an image library for them.
"""

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from snorq_build.contents import APP_NAME, ROOT

SOURCE = ROOT / "snorq_desktop" / "resources" / "icons" / "snorq.svg"
# Linux hicolor sizes; the same renders feed .ico and .icns.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's icon types holding PNG data, by pixel size (retina variants reuse sizes).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"icp6", 64),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
    (b"ic10", 1024),
)


@dataclass(frozen=True)
class IconSet:
    pngs: dict[int, Path]  # pixel size -> PNG
    ico: Path
    icns: Path
    svg: Path


def render_png(size: int, target: Path) -> bytes:
    """Draws the SVG on a transparent square of ``size`` pixels into ``target``
    (a .png) and returns its bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise ValueError(f"{SOURCE} is not a valid SVG")
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    if not image.save(str(target)):  # the format follows the .png suffix
        raise RuntimeError(f"Qt could not write {target}")
    return target.read_bytes()


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico whose images are PNGs (read by Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    chunks = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks


def make_icon_set(directory: Path) -> IconSet:
    """Writes ``<size>.png`` for every size, ``snorq-desktop.ico`` and ``.icns``."""
    directory.mkdir(parents=True, exist_ok=True)
    pngs = {size: directory / f"{size}.png" for size in PNG_SIZES}
    rendered = {size: render_png(size, path) for size, path in pngs.items()}
    ico = directory / f"{APP_NAME}.ico"
    ico.write_bytes(ico_bytes({size: rendered[size] for size in ICO_SIZES}))
    icns = directory / f"{APP_NAME}.icns"
    icns.write_bytes(icns_bytes(rendered))
    svg = directory / f"{APP_NAME}.svg"
    svg.write_bytes(SOURCE.read_bytes())
    return IconSet(pngs=pngs, ico=ico, icns=icns, svg=svg)
