"""Icons drawn from the SVGs in resources/, rendered at the screen's pixel ratio
so they stay crisp on high-DPI displays."""

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from snorq_desktop.domain.enums import Platform


def resources_directory() -> Path:
    """In a bundle, in an installed wheel, or beside the package in a source tree."""
    package = Path(__file__).resolve().parent.parent
    candidates = [package / "resources", package.parent / "resources"]
    if getattr(sys, "frozen", False):
        candidates.insert(0, Path(getattr(sys, "_MEIPASS", ".")) / "resources")
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError(f"no resources folder beside {package}")


@cache
def _renderer(name: str) -> QSvgRenderer:
    return QSvgRenderer(str(resources_directory() / "icons" / f"{name}.svg"))


def svg_pixmap(name: str, size: int, ratio: float = 1.0) -> QPixmap:
    pixmap = QPixmap(QSize(round(size * ratio), round(size * ratio)))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _renderer(name).render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def svg_icon(name: str) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(svg_pixmap(name, size))
    return icon


BADGE_RING = QColor("#ffffff")  # around every platform badge, whatever the palette
RING_FRACTION = 0.12  # of the badge's size


def badge_pixmap(name: str, size: int, ratio: float = 1.0) -> QPixmap:
    """A platform's icon on a white disc: the black TikTok badge stays visible on
    a dark row (and every badge stands apart from the avatar it sits on)."""
    pixmap = QPixmap(QSize(round(size * ratio), round(size * ratio)))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BADGE_RING)
    whole = QRectF(0, 0, pixmap.width(), pixmap.height())
    painter.drawEllipse(whole)
    ring = pixmap.width() * RING_FRACTION
    _renderer(name).render(painter, whole.adjusted(ring, ring, -ring, -ring))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def badge_icon(name: str) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64):
        icon.addPixmap(badge_pixmap(name, size))
    return icon


def platform_icon_name(platform: Platform) -> str:
    return platform.value.lower()
