"""Small charts drawn with QPainter: stacked bars per day, and a line per day.

Drawn by hand rather than with QtCharts, which lives in PySide6-Addons (a
second, larger wheel the installers would have to carry) for two chart kinds
this small.  Colours come from the palette, so light and dark themes both read.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[float | None]


# Steps a time axis reads well in: seconds, minutes, hours, days.
DURATION_STEPS = (
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86400,
    2 * 86400,
    7 * 86400,
)


def nice_ceiling(
    value: float, ticks: int = 4, steps: Sequence[float] | None = None
) -> tuple[float, float]:
    """An axis top at or above ``value`` and its step, both round numbers (1, 2, 5 × 10ⁿ,
    or the first of ``steps`` that fits)."""
    if value <= 0:
        first = steps[0] if steps else 1.0
        return first * ticks, first
    for step in steps or ():
        if step * ticks >= value:
            return step * ticks, step
    rough = value / ticks
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step * ticks >= value:
            return step * ticks, step
    return 10 * magnitude * ticks, 10 * magnitude


def day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


class DayChart(QWidget):
    """One chart over a range of days: stacked bars (``kind="bars"``) or a line."""

    def __init__(
        self,
        title: str,
        *,
        kind: str = "bars",
        value_text: Callable[[float], str] = lambda v: f"{v:,.0f}",
        steps: Sequence[float] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.kind = kind
        self._steps = steps
        self._value_text = value_text
        self.days: list[date] = []
        self.series: list[Series] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, 220)

    def set_data(self, days: list[date], series: list[Series]) -> None:
        self.days = days
        self.series = series
        self.update()

    def stacked_totals(self) -> list[float]:
        return [sum(s.values[i] or 0 for s in self.series) for i in range(len(self.days))]

    # --- painting -----------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        card = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(card, 8, 8)

        ink = palette.color(QPalette.ColorRole.Text)
        faint = palette.color(QPalette.ColorRole.PlaceholderText)
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPointSizeF(self.font().pointSizeF() * 1.05)
        painter.setFont(title_font)
        painter.setPen(ink)
        painter.drawText(
            card.adjusted(14, 10, -14, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            self.title,
        )
        painter.setFont(self.font())
        self._draw_legend(painter, card, ink)

        metrics = painter.fontMetrics()
        line = metrics.height()
        if self.kind == "bars":
            top_value = max(self.stacked_totals(), default=0)
        else:
            top_value = max((v for s in self.series for v in s.values if v is not None), default=0)
        axis_top, step = nice_ceiling(top_value, steps=self._steps)
        labels = [self._value_text(step * n) for n in range(5)]
        left = card.left() + 14 + max(metrics.horizontalAdvance(t) for t in labels) + 8
        plot = QRectF(left, card.top() + 18 + 2 * line, card.right() - 14 - left, 0)
        plot.setBottom(card.bottom() - 12 - line - 6)
        if plot.height() < 20 or plot.width() < 20:
            painter.end()
            return

        grid = QColor(palette.color(QPalette.ColorRole.Mid))
        for n in range(5):
            y = plot.bottom() - plot.height() * n / 4
            painter.setPen(QPen(grid, 1, Qt.PenStyle.SolidLine if n == 0 else Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(faint)
            painter.drawText(
                QRectF(card.left(), y - line / 2, left - card.left() - 8, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                labels[n],
            )

        count = len(self.days)
        if count == 0:
            painter.end()
            return
        slot = plot.width() / count
        self._draw_day_labels(painter, plot, slot, faint, line)
        scale = plot.height() / axis_top
        if self.kind == "bars":
            self._draw_bars(painter, plot, slot, scale)
        else:
            self._draw_lines(painter, plot, slot, scale)
        if top_value == 0:
            painter.setPen(faint)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing in these days")
        painter.end()

    def _draw_legend(self, painter: QPainter, card: QRectF, ink: QColor) -> None:
        metrics = painter.fontMetrics()
        x = card.right() - 14
        y = card.top() + 12
        for series in reversed(self.series):
            width = metrics.horizontalAdvance(series.name)
            x -= width
            painter.setPen(ink)
            painter.drawText(QPointF(x, y + metrics.ascent()), series.name)
            x -= 14
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(series.colour))
            painter.drawRoundedRect(QRectF(x, y + metrics.ascent() - 9, 10, 10), 2, 2)
            x -= 14

    def _draw_day_labels(
        self, painter: QPainter, plot: QRectF, slot: float, ink: QColor, line: float
    ) -> None:
        metrics = painter.fontMetrics()
        widest = metrics.horizontalAdvance("30 Sep") + 10
        every = max(1, math.ceil(widest / slot))
        painter.setPen(ink)
        last = len(self.days) - 1
        room = plot.right() + 8  # labels right of this would overlap: skipped
        # From the newest day back, so today always has its label.
        for index in range(last, -1, -every):
            centre = plot.left() + slot * (index + 0.5)
            left = min(centre - widest / 2, room - widest)
            if centre < left or centre > left + widest:
                continue
            painter.drawText(
                QRectF(left, plot.bottom() + 4, widest, line),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                day_label(self.days[index]),
            )
            room = left

    def _draw_bars(self, painter: QPainter, plot: QRectF, slot: float, scale: float) -> None:
        gap = min(6.0, slot * 0.25)
        painter.setPen(Qt.PenStyle.NoPen)
        for index in range(len(self.days)):
            base = plot.bottom()
            for series in self.series:
                value = series.values[index] or 0
                if value <= 0:
                    continue
                height = value * scale
                painter.setBrush(QColor(series.colour))
                painter.drawRect(
                    QRectF(plot.left() + slot * index + gap / 2, base - height, slot - gap, height)
                )
                base -= height

    def _draw_lines(self, painter: QPainter, plot: QRectF, slot: float, scale: float) -> None:
        for series in self.series:
            colour = QColor(series.colour)
            path = QPainterPath()
            pen_down = False
            points: list[QPointF] = []
            for index, value in enumerate(series.values):
                if value is None:
                    pen_down = False  # a day without responses breaks the line
                    continue
                point = QPointF(plot.left() + slot * (index + 0.5), plot.bottom() - value * scale)
                points.append(point)
                if pen_down:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    pen_down = True
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(colour, 2.2))
            painter.drawPath(path)
            painter.setBrush(colour)
            painter.setPen(Qt.PenStyle.NoPen)
            radius = 3.0 if slot > 8 else 2.0
            for point in points:
                painter.drawEllipse(point, radius, radius)
