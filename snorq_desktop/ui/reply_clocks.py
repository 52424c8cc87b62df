"""The reply-window clocks in the window (#17.5): the thread header's countdown,
the row's warning in a window's last hour, and "Closing soon" kept current.

Time moves with no change in the database, so a timer looks again each minute:
the countdown's words, the rows' warnings (a repaint) and the sidebar's
counts; the "Closing soon" list is read again while it shows.  Every clock
reads ``now`` from one function, so tests move it instead of waiting.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from snorq_desktop.domain.inbox import ConversationSummary, InboxView
from snorq_desktop.domain.reply_window import (
    MESSENGER_HUMAN_AGENT_TAG,
    ReplyClock,
    WindowState,
    reply_window,
)

TICK_MS = 60_000
CLOSING_COLOUR = "#b26a00"  # amber: a window in its last hour
CLOSED_COLOUR = "#b3261e"
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def row_warning(summary: ConversationSummary, now: datetime) -> str | None:
    """The mark before a row's preview in its window's last hour: "⏳ 42 min"."""
    if summary.last_inbound_at is None:
        return None
    window = reply_window(
        summary.platform,
        summary.last_inbound_at,
        now,
        human_agent_tag=MESSENGER_HUMAN_AGENT_TAG,
    )
    if window.state is not WindowState.CLOSING or window.closes_at is None:
        return None
    minutes = max(int((window.closes_at - now).total_seconds() // 60), 0)
    return f"⏳ {minutes} min" if minutes else "⏳ <1 min"


class ReplyWindowClock(QLabel):
    """The thread header's line: "Reply window closes in 3 h 12 min".

    Signals: ``closed()``: the open conversation's window closed while it showed
    (the reply box must look again at what it may send)."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None, now: Clock = _utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("replyWindowClock")
        self.setWordWrap(True)  # a long sentence wraps in a narrow window (200 %)
        self.now = now
        self._clock: ReplyClock | None = None
        self._state: WindowState | None = None
        self.hide()

    def show_clock(self, clock: ReplyClock | None) -> None:
        self._clock, self._state = clock, None
        self.tick()

    def tick(self) -> None:
        if self._clock is None:
            self.hide()
            return
        now = self.now()
        window = self._clock.at(now)
        self.setText(window.countdown(now))
        if window.state is WindowState.CLOSED:
            self.setStyleSheet(f"color: {CLOSED_COLOUR}; font-weight: 600;")
        elif window.state is WindowState.CLOSING:
            self.setStyleSheet(f"color: {CLOSING_COLOUR}; font-weight: 600;")
        else:
            self.setStyleSheet("")
            self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.setToolTip(
            "How long the platform lets you reply freely after the customer's last message"
        )
        was, self._state = self._state, window.state
        self.show()
        if window.state is WindowState.CLOSED and was not in (None, WindowState.CLOSED):
            self.closed.emit()


class WindowReplyClocks(QObject):
    """The minute's tick for the whole window."""

    def __init__(
        self,
        parent: QObject,
        *,
        clock: ReplyWindowClock,
        rows: QWidget,
        refresh_counts: Callable[[], None],
        current_view: Callable[[], InboxView],
        reload_inbox: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self._rows = rows
        self._refresh_counts = refresh_counts
        self._current_view = current_view
        self._reload_inbox = reload_inbox
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        self.clock.tick()
        self._rows.update()  # the rows' warnings
        self._refresh_counts()
        if self._current_view() is InboxView.CLOSING_SOON:
            self._reload_inbox()
