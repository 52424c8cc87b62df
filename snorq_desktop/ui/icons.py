"""Icons drawn from the SVGs in snorq_desktop/resources/, rendered at the screen's
pixel ratio so they stay crisp on high-DPI displays."""

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from snorq_desktop.domain.enums import Platform


def icon_file(name: str) -> Traversable:
    """The SVG inside the package: the same call finds it in a source tree, an
    installed wheel and a PyInstaller bundle (which keeps package data in place)."""
    return files("snorq_desktop") / "resources" / "icons" / f"{name}.svg"


@cache
def _renderer(name: str) -> QSvgRenderer:
    # Read as bytes: a Traversable need not be a file on disk.  A missing icon is
    # an error here, at the call, not a blank (or a crash) later inside a paint.
    renderer = QSvgRenderer(QByteArray(icon_file(name).read_bytes()))
    if not renderer.isValid():
        raise ValueError(f"the icon {name}.svg is not a valid SVG")
    return renderer


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
