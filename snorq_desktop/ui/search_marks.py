"""A search result opens on the message that matched, its words marked.

The inbox search finds a conversation when one of its messages holds every
word typed, each as the start of a word ("scar blu" finds "the blue scarf").
Opening such a result scrolls the thread to the newest message that does so,
loading older pages when it is further back, and the bubble marks each word
that matched, whole, whatever its case.  The words are split as the search
splits them (store/search.py: runs of letters and digits, at most eight).
"""

import re
from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QObject, QPointF, QRect
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractItemView, QListView

from snorq_desktop.ui.thread_model import MessageRole, ThreadModel

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8  # as many as the search reads
MAX_PAGES = 20  # older pages read to find the match, at most (1,000 messages)
MARK_FILL = "#ffd43b"  # a highlighter's yellow, on the blue bubbles and the grey alike
MARK_INK = "#1f1f1f"


def query_words(typed: str) -> list[str]:
    """The words of a search, lower case, as the search reads them."""
    return _WORD.findall(typed.lower())[:MAX_WORDS]


def marked_ranges(text: str, words: list[str]) -> list[tuple[int, int]]:
    """(start, length) of each word of ``text`` that starts with one of ``words``."""
    if not words:
        return []
    return [
        (found.start(), len(found.group()))
        for found in _WORD.finditer(text)
        if any(found.group().lower().startswith(word) for word in words)
    ]


def holds_every_word(text: str, words: list[str]) -> bool:
    """As the search decides: every word typed starts some word of the text."""
    said = [found.lower() for found in _WORD.findall(text)]
    return bool(words) and all(any(w.startswith(word) for w in said) for word in words)


def mark_formats(text: str, words: list[str]) -> list[QTextLayout.FormatRange]:
    """The bubble's text formats: the matched words on the highlighter's yellow."""
    marked = QTextCharFormat()
    marked.setBackground(QColor(MARK_FILL))
    marked.setForeground(QColor(MARK_INK))
    formats = []
    for start, length in marked_ranges(text, words):
        part = QTextLayout.FormatRange()
        part.start, part.length, part.format = start, length, marked
        formats.append(part)
    return formats


def draw_marked(
    painter: QPainter,
    rect: QRect,
    text: str,
    font: QFont,
    formats: list[QTextLayout.FormatRange],
) -> None:
    """The text wrapped as drawText wraps it, with its marked words on their colour."""
    lines = QTextLayout(text, font, painter.device())
    wrapping = QTextOption()
    wrapping.setWrapMode(QTextOption.WrapMode.WordWrap)
    lines.setTextOption(wrapping)
    lines.setFormats(formats)
    leading = QFontMetrics(font).leading()
    lines.beginLayout()
    y = 0.0
    while (line := lines.createLine()).isValid():
        line.setLineWidth(rect.width())
        line.setPosition(QPointF(0, y))
        y += line.height() + leading
    lines.endLayout()
    lines.draw(painter, QPointF(rect.topLeft()))


class MatchSeeker(QObject):
    """Takes the thread to the message a search found and keeps its words marked.

    ``show(typed, seek=True)`` marks the words and, once the thread's first page is
    in (now, or when it comes), scrolls to the newest message holding them all;
    ``show("")`` clears the marks.  The delegate reads ``words`` when it paints."""

    def __init__(
        self,
        view: QListView,
        model: ThreadModel,
        parent: QObject | None = None,
        *,
        stop_following: Callable[[], None] = lambda: None,
    ) -> None:
        """``stop_following``: the thread no longer keeps to its newest message."""
        super().__init__(parent)
        self._stop_following = stop_following
        self._view = view
        self._model = model
        self.words: list[str] = []
        self._seeking = False
        self._pages_read = 0
        self._loaded: str | None = None  # the conversation whose first page is shown
        model.older_added.connect(lambda _: self._seek())
        model.modelReset.connect(self._reset)

    @property
    def seeking(self) -> bool:
        return self._seeking

    def show(self, typed: str, *, seek: bool = True) -> None:
        self.words = query_words(typed)
        self._view.viewport().update()
        self._seeking = seek and bool(self.words)
        self._pages_read = 0
        if self._seeking:
            self._stop_following()
        shown = self._model.conversation_id
        if self._seeking and shown is not None and self._loaded == shown:
            self._seek()

    def first_page_shown(self, conversation_id: str) -> bool:
        """The first page came in; True when this scrolled to a match (the view
        must not then be sent to the bottom)."""
        self._loaded = conversation_id
        if not self._seeking:
            return False
        self._seek()
        return True

    def _reset(self) -> None:
        if self._model.conversation_id != self._loaded:
            self._loaded = None

    def _seek(self) -> None:
        if not self._seeking or self._loaded is None:
            return
        model: QAbstractItemModel = self._model
        for row in reversed(range(model.rowCount())):
            message = model.index(row, 0).data(MessageRole)
            if message is not None and holds_every_word(message.shown_text or "", self.words):
                self._seeking = False
                self._view.doItemsLayout()
                self._view.scrollTo(
                    model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter
                )
                return
        if self._model.has_older and self._pages_read < MAX_PAGES:
            self._pages_read += 1
            self._model.load_older()  # older_added brings us back here
            return
        # Found by the name alone (or too far back): the newest messages, as always.
        self._seeking = False
        self._view.scrollToBottom()
