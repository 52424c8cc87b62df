"""The dashboard: how the shop's conversations went, day by day and per platform.

Pictures first: four big numbers for the chosen days, then four charts
(received, sent, response time, new conversations).  The CSV export writes
exactly the figures shown (domain/analytics.py ``csv_rows``).
"""

import csv
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.analytics import (
    Dashboard,
    DateRange,
    csv_rows,
    format_duration,
)
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.inbox import PLATFORM_NAMES
from snorq_desktop.services.analytics import AnalyticsService
from snorq_desktop.ui.charts import DURATION_STEPS, DayChart, Series
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.window_fit import open_sized

# The platforms' own brand colours, so a glance says which is which.
PLATFORM_COLOURS = {
    Platform.WHATSAPP: "#25d366",
    Platform.FACEBOOK: "#0a7cff",
    Platform.TIKTOK: "#fe2c55",
}
RESPONSE_COLOUR = "#8b5cf6"
PRESETS = [("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Custom days", 0)]


class FigureTile(QFrame):
    """A big number with its name and, below, the split by platform."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.caption = QLabel(caption, self)
        self.caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.value = QLabel("—", self)
        big = QFont(self.font())
        big.setPointSizeF(self.font().pointSizeF() * 2.4)
        big.setBold(True)
        self.value.setFont(big)
        self.split = QLabel("", self)
        self.split.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.split)

    def show_figure(self, value: str, split: str) -> None:
        self.value.setText(value)
        self.split.setText(split)


class DashboardWindow(QDialog):
    """Signals:
    - ``shown(object)``: a Dashboard was drawn (after each load).
    """

    shown = Signal(object)

    def __init__(
        self, service: AnalyticsService, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.board: Dashboard | None = None
        self._today: date | None = None
        self.setWindowTitle("Dashboard — SNORQ Desktop")
        self.setObjectName("dashboard")
        open_sized(self, 1120, 780)

        self.preset = QComboBox(self)
        for name, days in PRESETS:
            self.preset.addItem(name, days)
        self.preset.setCurrentIndex(1)
        self.first = QDateEdit(self)
        self.last = QDateEdit(self)
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setEnabled(False)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setEnabled(False)
        self.note = QLabel("Counting…", self)
        self.note.setWordWrap(True)  # a sentence, in what the controls leave
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        controls = QHBoxLayout()
        controls.addWidget(self.preset)
        controls.addWidget(self.first)
        controls.addWidget(QLabel("to", self))
        controls.addWidget(self.last)
        controls.addSpacing(12)
        controls.addWidget(self.note, 1)
        self.retry_button = QPushButton("Try again", self)
        self.retry_button.setObjectName("dashboardRetry")
        self.retry_button.hide()  # only after a count that failed
        controls.addWidget(self.retry_button)
        controls.addWidget(self.export_button)

        self.tiles = {
            "received": FigureTile("Messages received", self),
            "sent": FigureTile("Messages sent", self),
            "new": FigureTile("New conversations", self),
            "response": FigureTile("Average response time", self),
        }
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tiles.addWidget(tile, 1)

        self.charts = {
            "received": DayChart("Messages received per day", parent=self),
            "sent": DayChart("Messages sent per day", parent=self),
            "response": DayChart(
                "Average response time per day",
                kind="line",
                value_text=lambda v: format_duration(int(v)),
                steps=DURATION_STEPS,
                parent=self,
            ),
            "new": DayChart("New conversations per day", parent=self),
        }
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(self.charts["received"], 0, 0)
        grid.addWidget(self.charts["sent"], 0, 1)
        grid.addWidget(self.charts["response"], 1, 0)
        grid.addWidget(self.charts["new"], 1, 1)

        # The figures scroll when the screen is smaller than they are (200 % on a
        # laptop): the dialog always fits the screen, its range controls in sight.
        figures = QWidget(self)
        column = QVBoxLayout(figures)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        column.addLayout(tiles)
        column.addLayout(grid, 1)
        self.figures = QScrollArea(self)
        self.figures.setObjectName("dashboardFigures")
        self.figures.setFrameShape(QFrame.Shape.NoFrame)
        self.figures.setWidgetResizable(True)
        self.figures.setWidget(figures)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(controls)
        layout.addWidget(self.figures, 1)

        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.first.dateChanged.connect(self._custom_changed)
        self.last.dateChanged.connect(self._custom_changed)
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.retry_button.clicked.connect(self._retry)
        self._runner.run(self._service.today, self._start, self._could_not_count)

    # --- the range ----------------------------------------------------------------

    def _start(self, today: date) -> None:
        self._today = today
        self._preset_chosen()

    def chosen_range(self) -> DateRange:
        first, last = self.first.date(), self.last.date()
        return DateRange(
            date(first.year(), first.month(), first.day()),
            date(last.year(), last.month(), last.day()),
        )

    def _preset_chosen(self) -> None:
        days = int(self.preset.currentData())
        custom = days == 0
        for edit in (self.first, self.last):
            edit.setEnabled(custom)
        if not custom and self._today is not None:
            wanted = DateRange.last_days(days, self._today)
            for edit, day in ((self.first, wanted.first), (self.last, wanted.last)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
            self.load()

    def _custom_changed(self) -> None:
        if self.first.date() > self.last.date():
            self.last.blockSignals(True)
            self.last.setDate(self.first.date())
            self.last.blockSignals(False)
        self.load()

    def set_range(self, days: DateRange) -> None:
        """Custom days (as the person would pick them)."""
        self.preset.setCurrentIndex(len(PRESETS) - 1)
        for edit, day in ((self.first, days.first), (self.last, days.last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        self.load()

    def load(self) -> None:
        wanted = self.chosen_range()
        if (wanted.last - wanted.first) > timedelta(days=731):
            self.note.setText("Choose at most two years.")
            return
        self.note.setText("Counting…")
        self.retry_button.hide()
        self._runner.run(
            lambda: self._service.dashboard(wanted), self.show_dashboard, self._could_not_count
        )

    def _could_not_count(self, error: Exception) -> None:
        # Said here, beside the range: the status bar is in another window,
        # often behind this one, and a blank dashboard looks like a quiet shop.
        if isinstance(error, KnownError):
            self.note.setText(f"The figures could not be counted. {error.sentence}")
        else:
            self.note.setText("The figures could not be counted; the details are in the log file.")
        self.retry_button.show()

    def _retry(self) -> None:
        self.retry_button.hide()
        if self._today is None:  # it was the first question that failed
            self.note.setText("Counting…")
            self._runner.run(self._service.today, self._start, self._could_not_count)
        else:
            self.load()

    # --- showing --------------------------------------------------------------------

    def show_dashboard(self, board: Dashboard) -> None:
        self.board = board
        days = board.range.days()
        platforms = list(Platform)
        totals = board.totals()

        def split(figure: str) -> str:
            parts = [
                f"{PLATFORM_NAMES[p]} {getattr(board.totals(p), figure):,}"
                for p in platforms
                if getattr(board.totals(p), figure)
            ]
            return " · ".join(parts) or "none"

        self.tiles["received"].show_figure(f"{totals.received:,}", split("received"))
        self.tiles["sent"].show_figure(f"{totals.sent:,}", split("sent"))
        self.tiles["new"].show_figure(f"{totals.new_conversations:,}", split("new_conversations"))
        answered = f"{totals.responses:,} answered" if totals.responses else "nobody answered yet"
        self.tiles["response"].show_figure(
            format_duration(totals.average_response_seconds), answered
        )
        for key, figure in (
            ("received", "received"),
            ("sent", "sent"),
            ("new", "new_conversations"),
        ):
            self.charts[key].set_data(
                days,
                [
                    Series(
                        PLATFORM_NAMES[p],
                        PLATFORM_COLOURS[p],
                        [getattr(d, figure) for d in board.days(p)],
                    )
                    for p in platforms
                ],
            )
        self.charts["response"].set_data(
            days,
            [
                Series(
                    "All platforms",
                    RESPONSE_COLOUR,
                    [d.average_response_seconds for d in board.days()],
                )
            ],
        )
        self.note.setText(
            f"{len(days)} days in UTC, {days[0]:%-d %b} to {days[-1]:%-d %b %Y}. "
            "Response time: from a customer's first unanswered message to the reply."
        )
        self.export_button.setEnabled(True)
        self.shown.emit(board)

    # --- export -----------------------------------------------------------------------

    def export_csv(self, path: str | None = None) -> Path | None:
        if self.board is None:
            return None
        if path is None:
            first, last = self.board.range.first, self.board.range.last
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export the dashboard",
                str(Path.home() / f"snorq-dashboard-{first}-to-{last}.csv"),
                "CSV files (*.csv)",
            )
            if not path:
                return None
        target = Path(path)
        try:
            with target.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows(csv_rows(self.board, PLATFORM_NAMES))
        except OSError as error:
            self.note.setText(f"The CSV could not be written: {error.strerror}.")
            return None
        self.note.setText(f"Exported to {target.name}.")
        return target
