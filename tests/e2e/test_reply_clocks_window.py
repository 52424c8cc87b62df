"""The reply-window clocks in the window (#17.5, offscreen, real database, a
member's login): the thread header counts down and says when a window closed,
a row in its window's last hour carries a warning, and "Closing soon" lists
exactly those, kept current by the minute's tick."""

from datetime import UTC, datetime, timedelta

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.inbox import InboxView
from snorq_desktop.ui.inbox_model import SummaryRole
from snorq_desktop.ui.reply_clocks import row_warning
from tests.e2e.conftest import idle
from tests.shop import invited_login

H = timedelta(hours=1)


def _customer_wrote(shop, name: str, ago: timedelta) -> datetime:
    at = datetime.now(UTC) - ago
    shop.sql(
        "UPDATE conversations SET last_inbound_at = :at WHERE contact_name = :name",
        at=at,
        name=name,
    )
    return at


def _rows(window) -> list[str]:
    inbox = window.inbox
    return [inbox.index(row).data(SummaryRole).contact_name for row in range(inbox.rowCount())]


def test_closing_soon_lists_the_windows_of_the_last_hour_with_a_warning(shop, make_window, qtbot):
    shop.add_conversations(4, prefix="Ana")
    shop.sql(
        "UPDATE conversations SET platform = 'TIKTOK', platform_connection_id = :tiktok, "
        "contact_name = 'Tom 0' WHERE contact_name = 'Ana 3'",
        tiktok=shop.connections[Platform.TIKTOK],
    )
    _customer_wrote(shop, "Ana 0", 2 * H)  # 22 h left
    _customer_wrote(shop, "Ana 1", 23 * H + 30 * timedelta(minutes=1))  # 30 min left
    _customer_wrote(shop, "Ana 2", 25 * H)  # closed
    _customer_wrote(shop, "Tom 0", 47 * H + 20 * timedelta(minutes=1))  # TikTok: 40 min left
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=login)
    window = running.window
    idle(qtbot, running)
    sidebar = window.sidebar.views
    titles = [sidebar.item(n).text() for n in range(sidebar.rowCount())]
    assert "Closing soon  2" in titles
    now = datetime.now(UTC)
    warnings = {
        window.inbox.index(n).data(SummaryRole).contact_name: row_warning(
            window.inbox.index(n).data(SummaryRole), now
        )
        for n in range(window.inbox.rowCount())
    }
    assert warnings["Ana 0"] is None and warnings["Ana 2"] is None
    assert warnings["Ana 1"] in {"⏳ 29 min", "⏳ 30 min"}
    assert warnings["Tom 0"] in {"⏳ 39 min", "⏳ 40 min"}
    window.sidebar.select(InboxView.CLOSING_SOON)
    idle(qtbot, running)
    assert sorted(_rows(window)) == ["Ana 1", "Tom 0"]
    # An hour on (the database's clock moved by moving the customer's message
    # back), the tick reads the view again: Ana 0 is not there yet, Ana 1 is gone.
    _customer_wrote(shop, "Ana 1", 25 * H)
    _customer_wrote(shop, "Ana 0", 23 * H + 50 * timedelta(minutes=1))
    window.reply_clocks.tick()
    idle(qtbot, running)
    assert sorted(_rows(window)) == ["Ana 0", "Tom 0"]


def test_the_thread_header_counts_down_and_says_when_the_window_closed(shop, make_window, qtbot):
    shop.add_conversations(1, prefix="Ana")
    said = _customer_wrote(shop, "Ana 0", 2 * H)
    running = make_window()
    window = running.window
    clock = window.thread_pane.window_clock
    now = [said + 24 * H - (3 * H + 12 * timedelta(minutes=1))]
    clock.now = lambda: now[0]
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    assert clock.isVisible()
    assert clock.text() == "Reply window closes in 3 h 12 min"
    now[0] = said + 23 * H + 15 * timedelta(minutes=1)
    window.reply_clocks.tick()
    assert clock.text() == "Reply window closes in 45 min"
    now[0] = said + 24 * H + timedelta(minutes=1)
    with qtbot.waitSignal(clock.closed):
        window.reply_clocks.tick()
    assert clock.text() == "Closed – WhatsApp needs a template"
    idle(qtbot, running)  # the header read again (what the reply box may send)
    assert window.thread_pane.header is not None
