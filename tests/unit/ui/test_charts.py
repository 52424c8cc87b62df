"""The hand-drawn charts paint any data, empty or one day, light or dark."""

from datetime import date

from snorq_desktop.ui.charts import DURATION_STEPS, DayChart, Series, nice_ceiling


def test_charts_paint_empty_single_and_gappy_days(qtbot):
    bars = DayChart("Messages")
    line = DayChart("Response", kind="line")
    for chart in (bars, line):
        qtbot.addWidget(chart)
        chart.resize(400, 240)
        assert not chart.grab().isNull()  # no data yet
    bars.set_data([date(2026, 1, 1)], [Series("WhatsApp", "#25d366", [3])])
    line.set_data(
        [date(2026, 1, n) for n in range(1, 4)], [Series("All", "#8b5cf6", [60, None, 120])]
    )
    assert bars.stacked_totals() == [3]
    for chart in (bars, line):
        image = chart.grab().toImage()
        assert image.width() == 400


def test_axis_tops_are_round():
    assert nice_ceiling(0) == (4.0, 1.0)
    assert nice_ceiling(37) == (40, 10)
    assert nice_ceiling(1_234) == (2_000, 500)
    assert nice_ceiling(1_100, steps=DURATION_STEPS) == (1_200, 300)
