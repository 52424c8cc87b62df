"""A search result shows the matching message's words (issue 12.4), not the
conversation's latest message."""

from datetime import UTC, datetime, timedelta

from snorq_desktop.ui.inbox_model import SummaryRole
from tests.e2e.conftest import idle


def test_a_search_result_row_shows_the_words_that_matched(shop, make_window, qtbot):
    shop.add_conversations(3)
    conversation = shop.sql(
        "SELECT id, organization_id FROM conversations WHERE external_id = 'ext-1'"
    )
    [(conversation_id, org)] = conversation
    earlier = datetime.now(UTC) - timedelta(days=2)
    for number, text in enumerate(("Do you have the blue scarf in wool?", "ok thanks")):
        shop.sql(
            "INSERT INTO messages (id, organization_id, conversation_id, direction, content,"
            " external_id, platform_timestamp, status) VALUES (:id, :org, :c, 'INBOUND', :t,"
            " :e, :at, 'DELIVERED')",
            id=f"extra-{number}",
            org=org,
            c=conversation_id,
            t=text,
            e=f"extra-{number}",
            at=earlier + timedelta(minutes=number),
        )
    running = make_window()
    window = running.window
    window.search.setText("scarf")
    qtbot.waitUntil(lambda: window.inbox.rowCount() == 1, timeout=5000)
    idle(qtbot, running)
    row = window.inbox.index(0).data(SummaryRole)
    assert row.id == conversation_id
    assert row.last_message_preview == "Do you have the blue scarf in wool?"
    window.search.clear()
    qtbot.waitUntil(lambda: window.inbox.rowCount() == 3, timeout=5000)
    idle(qtbot, running)
    rows = [window.inbox.index(r).data(SummaryRole) for r in range(3)]
    assert [r.last_message_preview for r in rows if r.id == conversation_id] == ["Hello number 1"]
