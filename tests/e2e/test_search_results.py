"""A search result shows the matching message's words (issue 12.4), not the
conversation's latest message."""

from datetime import UTC, datetime, timedelta

import psycopg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from snorq_desktop.domain.inbox import InboxQuery
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store.inbox import inbox_page
from snorq_desktop.store.search import SearchPlan
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.ui.inbox_model import SummaryRole
from snorq_desktop.ui.search_marks import MARK_FILL
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


def _scarf_far_back(shop) -> tuple[str, str]:
    """A conversation whose match is 70 messages back (beyond the first page of 50)."""
    shop.add_conversations(3)
    [(conversation_id, org)] = shop.sql(
        "SELECT id, organization_id FROM conversations WHERE external_id = 'ext-1'"
    )
    earlier = datetime.now(UTC) - timedelta(days=2)
    said = ["Do you have the blue Scarf in WOOL?", *(f"ok thanks {n}" for n in range(70))]
    for number, text in enumerate(said):
        shop.sql(
            "INSERT INTO messages (id, organization_id, conversation_id, direction, content,"
            " external_id, platform_timestamp, status) VALUES (:id, :org, :c, 'INBOUND', :t,"
            " :e, :at, 'DELIVERED')",
            id=f"said-{number:03}",
            org=org,
            c=conversation_id,
            t=text,
            e=f"said-{number:03}",
            at=earlier + timedelta(minutes=number),
        )
    return str(conversation_id), "said-000"


def _shown_row(window, message_id: str) -> int:
    model = window.thread_pane.model
    rows = [r for r in range(model.rowCount()) if (m := model.message_at(r)) and m.id == message_id]
    return rows[0] if rows else -1


def _on_screen(window, message_id: str) -> bool:
    row = _shown_row(window, message_id)
    if row < 0:
        return False
    view = window.thread_pane.view
    return view.viewport().rect().intersects(view.visualRect(window.thread_pane.model.index(row)))


def _marked_pixels(window) -> int:
    image = window.thread_pane.view.viewport().grab().toImage()
    mark = QColor(MARK_FILL).rgb()
    return sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if image.pixel(x, y) == mark
    )


def _marked_words(window, message_id: str) -> list[str]:
    message = window.thread_pane.model.message_at(_shown_row(window, message_id))
    text = message.shown_text
    formats = window.thread_pane.bubbles.text_formats(message)
    return [text[f.start : f.start + f.length] for f in formats]


def test_a_search_result_opens_on_the_matching_message_with_its_words_marked(
    shop, make_window, qtbot
):
    conversation_id, match = _scarf_far_back(shop)
    running = make_window()
    window = running.window
    window.search.setText("scar wool")  # prefixes, in any case, as the search reads them
    qtbot.waitUntil(lambda: window.inbox.rowCount() == 1, timeout=5000)
    idle(qtbot, running)
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    qtbot.waitUntil(lambda: _on_screen(window, match), timeout=10_000)
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == conversation_id
    assert _on_screen(window, match)
    assert _marked_words(window, match) == ["Scarf", "WOOL"]
    assert _marked_pixels(window) > 0
    assert _marked_words(window, "said-005") == []  # "ok thanks": nothing to mark

    window.search.clear()
    qtbot.waitUntil(lambda: window.inbox.rowCount() == 3, timeout=5000)
    idle(qtbot, running)
    assert _marked_words(window, match) == []
    assert _marked_pixels(window) == 0


def test_the_switcher_opens_on_the_matching_message_and_esc_clears_the_marks(
    shop, make_window, qtbot
):
    conversation_id, match = _scarf_far_back(shop)
    running = make_window()
    window = running.window
    window.switcher.open_switcher()
    with qtbot.waitSignal(window.switcher.conversation_chosen, timeout=10_000):
        qtbot.keyClicks(window.switcher.search, "blue scarf")
        qtbot.keyClick(window.switcher.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _on_screen(window, match), timeout=10_000)
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == conversation_id
    assert _marked_words(window, match) == ["blue", "Scarf"]
    assert _marked_pixels(window) > 0
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.thread_pane.composer.editor, Qt.Key.Key_Escape)
    assert _marked_words(window, match) == []
    qtbot.waitUntil(lambda: _marked_pixels(window) == 0, timeout=2000)


def test_a_search_page_and_its_matching_words_are_one_statement(
    shop, engine, tmp_path, monkeypatch
):
    """No second statement sends the page's ids back for the previews (#15.2)."""
    shop.add_conversations(3)
    [(conversation_id, org)] = shop.sql(
        "SELECT id, organization_id FROM conversations WHERE external_id = 'ext-1'"
    )
    shop.sql(
        "INSERT INTO messages (id, organization_id, conversation_id, direction, content,"
        " external_id, platform_timestamp, status) VALUES ('extra', :org, :c, 'INBOUND',"
        " 'the blue scarf', 'extra', now() - interval '1 day', 'DELIVERED')",
        org=org,
        c=conversation_id,
    )
    service = InboxService(session_factory(engine), ReplyJournal(tmp_path / "journal"))
    service.identity()
    statements: list[str] = []
    execute = psycopg.Cursor.execute

    def record(cursor, query, params=None, **kwargs):
        statements.append(str(query))
        return execute(cursor, query, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", record)
    for plan in SearchPlan:
        statements.clear()
        with service._reads() as session:
            page = inbox_page(session, org, InboxQuery(search="scarf"), plan=plan)
        assert [(r.id, r.last_message_preview) for r in page] == [
            (conversation_id, "the blue scarf")
        ]
        assert len(statements) == 1
    service.inbox_page(InboxQuery(search="scarf"), None, 50)  # the word statistics read
    statements.clear()
    page = service.inbox_page(InboxQuery(search="scarf"), None, 50)
    assert [r.last_message_preview for r in page] == ["the blue scarf"]
    assert len(statements) == 1
