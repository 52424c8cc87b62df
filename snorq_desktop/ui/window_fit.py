"""The window opens inside the screen it is on, whatever the scale.

At 200 % on a 1440×900 screen the screen is 720×450 of Qt's pixels: the
window's first size (1180×760), or a size remembered from a bigger screen or a
smaller scale, would run off its edges, its title bar and its buttons out of
reach.  The window is made to fit the screen's free area (without the panels),
first by moving it, then by making it smaller.
"""

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget


def fit_into(frame: QRect, available: QRect) -> QRect:
    """``frame`` moved, and shrunk when it must be, to lie inside ``available``."""
    width = min(frame.width(), available.width())
    height = min(frame.height(), available.height())
    left = min(max(frame.left(), available.left()), available.left() + available.width() - width)
    top = min(max(frame.top(), available.top()), available.top() + available.height() - height)
    return QRect(left, top, width, height)


TITLE_BAR_BUTTONS = 120  # px of a title bar its buttons and icon take


def window_title(name: str, app: str = "SNORQ Desktop") -> str:
    """``name — app`` when the screen's title bar has room for it, else the name
    alone: a title bar elides what does not fit, and the name is what tells two
    windows apart."""
    font = QFont(QGuiApplication.font())
    font.setBold(True)  # as title bars draw it
    room = QGuiApplication.primaryScreen().availableGeometry().width() - TITLE_BAR_BUTTONS
    full = f"{name} — {app}"
    return full if QFontMetrics(font).horizontalAdvance(full) <= room else name


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


def open_sized(window: QWidget, width: int, height: int) -> None:
    """A dialog's first size, no bigger than the screen's free area, kept on the
    screen and growing with its text (see :class:`KeptOnScreen`)."""
    available = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    window.resize(min(width, available.width()), min(height, available.height()))
    grows_with_its_text(window)


def grows_with_its_text(window: QWidget) -> None:
    window.installEventFilter(KeptOnScreen(window))


class KeptOnScreen(QObject):
    """A dialog inside the screen when it shows, and as tall as its text.

    A dialog does not grow by itself when a wrapped sentence (an error, a
    result) is set after it opened: the sentence would be cut off.  After each
    new layout the dialog is made as tall as its layout needs at its width, up
    to the screen's free height."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if isinstance(watched, QWidget):
            if event.type() == QEvent.Type.Show:
                keep_on_screen(watched)
            elif event.type() == QEvent.Type.LayoutRequest:
                grow_to_fit(watched)  # lays it out first (activate), then measures
        return False


def grow_to_fit(window: QWidget) -> None:
    layout = window.layout()
    if layout is None or not window.isVisible():
        return
    layout.activate()
    width = window.width()
    if layout.hasHeightForWidth():
        needed = layout.totalHeightForWidth(width)
    else:
        needed = layout.totalSizeHint().height()
    frame = window.frameGeometry().height() - window.height()
    room = window.screen().availableGeometry().height() - frame
    height = min(max(window.height(), needed), room)
    if height > window.height():
        window.resize(width, height)
        keep_on_screen(window)


def restore_layout(window: QWidget, splitter: QSplitter, state: QSettings) -> None:
    """The window's size and place and its columns' widths, as last saved."""
    geometry = state.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    widths = state.value("window/splitter")
    if isinstance(widths, QByteArray):
        splitter.restoreState(widths)


def save_layout(window: QWidget, splitter: QSplitter, state: QSettings) -> None:
    state.setValue("window/geometry", window.saveGeometry())
    state.setValue("window/splitter", splitter.saveState())
    state.sync()
