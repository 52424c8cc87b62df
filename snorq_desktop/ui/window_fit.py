"""The window opens inside the screen it is on, whatever the scale.

At 200 % on a 1440×900 screen the screen is 720×450 of Qt's pixels: the
window's first size (1180×760), or a size remembered from a bigger screen or a
smaller scale, would run off its edges, its title bar and its buttons out of
reach.  The window is made to fit the screen's free area (without the panels),
first by moving it, then by making it smaller.
"""

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_into(frame: QRect, available: QRect) -> QRect:
    """``frame`` moved, and shrunk when it must be, to lie inside ``available``."""
    width = min(frame.width(), available.width())
    height = min(frame.height(), available.height())
    left = min(max(frame.left(), available.left()), available.left() + available.width() - width)
    top = min(max(frame.top(), available.top()), available.top() + available.height() - height)
    return QRect(left, top, width, height)


def keep_on_screen(window: QWidget) -> None:
    """Fit the window, its frame included, into the free area of its screen."""
    frame, inner = window.frameGeometry(), window.geometry()
    screen = QGuiApplication.screenAt(frame.center()) or window.screen()
    fitted = fit_into(frame, screen.availableGeometry())
    if fitted == frame:
        return
    # The frame (title bar, borders) is the window manager's: what is left is ours.
    window.setGeometry(
        fitted.adjusted(
            inner.left() - frame.left(),
            inner.top() - frame.top(),
            inner.right() - frame.right(),
            inner.bottom() - frame.bottom(),
        )
    )
