"""What a person would find cut off in a window: a label whose text does not fit
(a sentence that does not wrap, a wrapped one without the height it needs), a
button narrower than its text, a title the title bar would elide, a window
running off the screen."""

import re

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QLabel, QWidget

from snorq_desktop.ui.window_fit import TITLE_BAR_BUTTONS

_TAG = re.compile(r"<[^>]+>")


def is_sentence(text: str) -> bool:
    """Six words or more: long enough to need wrapping somewhere."""
    return len(_TAG.sub(" ", text).split()) >= 6


def cut_off(window: QWidget) -> list[str]:
    """Everything in ``window`` a person would see cut off, in words."""
    found = []
    title_font = QFont(QApplication.font())
    title_font.setBold(True)
    title = QFontMetrics(title_font).horizontalAdvance(window.windowTitle())
    if window.width() < title + TITLE_BAR_BUTTONS:
        found.append(f"title {window.windowTitle()!r} elided at {window.width()} px")
    screen = window.screen().availableGeometry()
    if not screen.contains(window.frameGeometry()):
        found.append(f"window {window.frameGeometry()} runs off the screen {screen}")
    for label in window.findChildren(QLabel):
        text = label.text()
        if not text or not label.isVisibleTo(window):
            continue
        where = label.objectName() or text[:40]
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height():
                found.append(f"label {where!r} needs {needed} px of height, has {label.height()}")
        else:
            if is_sentence(text):
                found.append(f"sentence {where!r} does not wrap")
            hint = label.sizeHint()
            if hint.width() > label.width() or hint.height() > label.height():
                found.append(
                    f"label {where!r} needs {hint.toTuple()}, has {label.size().toTuple()}"
                )
        found.extend(_outside(window, label, where))
    for button in window.findChildren(QAbstractButton):
        if button.text() and button.isVisibleTo(window):
            if button.width() < button.minimumSizeHint().width():
                found.append(f"button {button.text()!r} narrower than its text")
            found.extend(_outside(window, button, button.text()))
    return found


def _outside(window: QWidget, widget: QWidget, where: str) -> list[str]:
    """A widget that the window's edge would cut (not one in a scrolled area)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return []  # scrolled to, not cut off
        parent = parent.parentWidget()
    top_left = widget.mapTo(window, widget.rect().topLeft())
    bottom_right = widget.mapTo(window, widget.rect().bottomRight())
    inside = window.rect().contains(top_left) and window.rect().contains(bottom_right)
    return [] if inside else [f"{where!r} reaches past the window's edge"]
