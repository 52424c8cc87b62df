"""Where the window goes and how it looks: a screen to show it on, and Qt's own
``-style NAME`` kept with the app's light or dark palette."""

import logging
import os
import sys

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QStyleFactory

from snorq_desktop.domain.errors import KnownError

log = logging.getLogger(__name__)


class NoScreen(KnownError):
    """Nowhere to show a window, so nowhere to show a problem either: stderr only."""


def check_screen() -> None:
    """Qt aborts the process when it finds no display; say it in a sentence first."""
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        raise NoScreen(
            "There is no screen to show the window on (no DISPLAY or WAYLAND_DISPLAY). "
            "Run it in a desktop session, or set QT_QPA_PLATFORM=offscreen to run without one."
        )


def qt_style_named(name: str) -> str:
    """The Qt style ``name`` stands for (any case), or the sentence naming those there are."""
    styles = QStyleFactory.keys()
    chosen = next((style for style in styles if style.lower() == name.lower()), None)
    if chosen is None:
        raise KnownError(
            f"Qt has no style named {name!r} here; choose one of: {', '.join(styles)}."
        )
    return chosen


def use_qt_style(app: QApplication, name: str) -> None:
    """Qt's ``-style NAME``: that style with the app's own light or dark palette,
    kept when the system switches between them (the theme sets Fusion then)."""
    chosen = qt_style_named(name)

    def restyle() -> None:
        palette = app.palette()  # setStyle puts the style's own palette back
        app.setStyle(chosen)
        app.setPalette(palette)

    restyle()
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _: restyle())
    log.info("Qt style: %s", chosen)
