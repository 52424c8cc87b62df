"""Light and dark, following the system's colour scheme (Qt 6.5+ reports it)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

_ROLES = QPalette.ColorRole


def palette_for(dark: bool) -> QPalette:
    palette = QPalette()
    if dark:
        colours = {
            _ROLES.Window: "#1e2026",
            _ROLES.WindowText: "#e6e7ea",
            _ROLES.Base: "#17191e",
            _ROLES.AlternateBase: "#262932",
            _ROLES.Text: "#e6e7ea",
            _ROLES.Button: "#2a2d35",
            _ROLES.ButtonText: "#e6e7ea",
            _ROLES.Highlight: "#3b4a7a",
            _ROLES.HighlightedText: "#ffffff",
            _ROLES.Link: "#7c8cff",
            _ROLES.PlaceholderText: "#9094a0",
            _ROLES.ToolTipBase: "#2a2d35",
            _ROLES.ToolTipText: "#e6e7ea",
            _ROLES.Mid: "#3a3d46",
        }
    else:
        colours = {
            _ROLES.Window: "#f6f7f9",
            _ROLES.WindowText: "#1d2129",
            _ROLES.Base: "#ffffff",
            _ROLES.AlternateBase: "#eef0f4",
            _ROLES.Text: "#1d2129",
            _ROLES.Button: "#ffffff",
            _ROLES.ButtonText: "#1d2129",
            _ROLES.Highlight: "#dfe5ff",
            _ROLES.HighlightedText: "#1d2129",
            _ROLES.Link: "#4f5bd5",
            _ROLES.PlaceholderText: "#6b7280",
            _ROLES.ToolTipBase: "#ffffff",
            _ROLES.ToolTipText: "#1d2129",
            _ROLES.Mid: "#d0d4dc",
        }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    return palette


def system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, dark: bool | None = None) -> None:
    """``dark=None`` follows the system, now and whenever it changes."""
    app.setStyle("Fusion")
    app.setPalette(palette_for(system_prefers_dark() if dark is None else dark))
    # A style sheet keeps the palette it was applied with (the window's focus
    # ring): set again, its widgets take the new colours.
    for widget in app.topLevelWidgets():
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


def follow_system_theme(app: QApplication) -> None:
    apply_theme(app)
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _: apply_theme(app))
