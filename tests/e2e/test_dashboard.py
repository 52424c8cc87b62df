"""The dashboard window over a hand-made history: tiles, charts, range, CSV."""

import csv
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from snorq_desktop.domain.analytics import DateRange
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.errors import DatabaseUnavailable
from snorq_desktop.services.analytics import AnalyticsService
from snorq_desktop.services.worker import DatabaseWorker
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.ui.dashboard import DashboardWindow
from snorq_desktop.ui.tasks import TaskRunner
from tests.history import History

TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def history(engine):
    """Today: WhatsApp 2 questions answered after 10 min; Messenger one answered
    after 2 min.  Yesterday: one TikTok question, unanswered."""
    history = History.shop(engine)
    wa = history.conversation(TODAY - timedelta(hours=1))
    history.message(wa, "INBOUND", TODAY - timedelta(hours=1))
    history.message(wa, "INBOUND", TODAY - timedelta(minutes=55))
    history.message(wa, "OUTBOUND", TODAY - timedelta(minutes=50))
    fb = history.conversation(TODAY - timedelta(hours=2), Platform.FACEBOOK)
    history.message(fb, "INBOUND", TODAY - timedelta(hours=2))
    history.message(fb, "OUTBOUND", TODAY - timedelta(hours=2) + timedelta(minutes=2))
    tt = history.conversation(TODAY - timedelta(days=1), Platform.TIKTOK)
    history.message(tt, "INBOUND", TODAY - timedelta(days=1))
    return history


@pytest.fixture
def dashboard(engine, history, qtbot):
    worker = DatabaseWorker()
    runner = TaskRunner(worker)
    service = AnalyticsService(engine, session_factory(engine), lambda: history.organization_id)
    window = DashboardWindow(service, runner)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.shown, timeout=10_000):
        pass
    yield window
    runner.stop()
    worker.shutdown()


def test_the_dashboard_shows_the_figures_of_the_last_30_days(dashboard):
    assert dashboard.preset.currentText() == "Last 30 days"
    assert len(dashboard.board.range.days()) == 30
    assert dashboard.tiles["received"].value.text() == "4"
    assert dashboard.tiles["received"].split.text() == "TikTok 1 · WhatsApp 2 · Messenger 1"
    assert dashboard.tiles["sent"].value.text() == "2"
    assert dashboard.tiles["new"].value.text() == "3"
    # (600 + 120) / 2 = 360 s
    assert dashboard.tiles["response"].value.text() == "6 min"
    received = dashboard.charts["received"]
    assert received.stacked_totals()[-2:] == [1, 3]
    assert [s.name for s in received.series] == ["TikTok", "WhatsApp", "Messenger"]
    assert dashboard.charts["response"].series[0].values[-1] == 360
    assert dashboard.charts["response"].series[0].values[-2] is None


def test_choosing_days_reloads_the_figures(dashboard, qtbot):
    today = dashboard.board.range.last
    with qtbot.waitSignal(dashboard.shown, timeout=10_000):
        dashboard.set_range(DateRange(today, today))
    assert dashboard.tiles["received"].value.text() == "3"
    assert dashboard.first.isEnabled()
    with qtbot.waitSignal(dashboard.shown, timeout=10_000):
        dashboard.preset.setCurrentIndex(0)
    assert len(dashboard.board.range.days()) == 7
    assert not dashboard.first.isEnabled()


def test_the_csv_holds_what_is_shown(dashboard, tmp_path):
    written = dashboard.export_csv(str(tmp_path / "figures.csv"))
    with written.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 30
    today = rows[-1]
    assert today["Date (UTC)"] == dashboard.board.range.last.isoformat()
    assert today["Messages received"] == "3"
    assert today["Messages received · WhatsApp"] == "2"
    assert today["Messages received · Messenger"] == "1"
    assert today["Messages received · TikTok"] == "0"
    assert today["Messages sent"] == "2"
    assert today["New conversations"] == "2"
    assert today["Average response time (s)"] == "360"
    assert today["Average response time (s) · WhatsApp"] == "600"
    assert rows[-2]["Messages received · TikTok"] == "1"
    assert rows[-2]["Average response time (s)"] == ""
    assert sum(int(r["Messages received"]) for r in rows) == int(
        dashboard.tiles["received"].value.text()
    )


def test_a_csv_that_cannot_be_written_says_so(dashboard, tmp_path):
    assert dashboard.export_csv(str(tmp_path / "missing-folder" / "x.csv")) is None
    assert "could not be written" in dashboard.note.text()


class _Failing(AnalyticsService):
    """The service with its database gone for the first ``times`` counts."""

    def __init__(self, *args, times: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.times = times

    def dashboard(self, days):
        if self.times:
            self.times -= 1
            raise DatabaseUnavailable("The team database cannot be reached.")
        return super().dashboard(days)


def test_figures_that_cannot_be_counted_say_so_in_the_dashboard(engine, history, qtbot):
    worker = DatabaseWorker()
    runner = TaskRunner(worker)
    service = _Failing(engine, session_factory(engine), lambda: history.organization_id, times=1)
    window = DashboardWindow(service, runner)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(window.retry_button.isVisible, timeout=10_000)
        assert window.note.text() == (
            "The figures could not be counted. The team database cannot be reached."
        )
        assert window.board is None
        with qtbot.waitSignal(window.shown, timeout=10_000):
            qtbot.mouseClick(window.retry_button, Qt.MouseButton.LeftButton)
        assert window.retry_button.isHidden()
        assert window.tiles["received"].value.text() == "4"
    finally:
        runner.stop()
        worker.shutdown()
