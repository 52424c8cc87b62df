"""The inbox window end to end: real database, real models, offscreen Qt."""

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from snorq_desktop.domain.enums import ConversationStatus, MessageStatus, Platform
from snorq_desktop.domain.inbox import Changes, InboxView
from snorq_desktop.store.arrivals import Arrival, add_inbound
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.ui.inbox_model import ConversationIdRole, SummaryRole
from snorq_desktop.ui.theme import apply_theme
from snorq_desktop.ui.thread_model import MessageRole
from tests.e2e.conftest import idle
from tests.shop import invited_login


def _ids(window) -> list[str]:
    model = window.inbox
    return [model.index(row).data(ConversationIdRole) for row in range(model.rowCount())]


def _open_row(qtbot, running, row: int) -> str:
    window = running.window
    index = window.inbox.index(row)
    window.inbox_view.setCurrentIndex(index)
    idle(qtbot, running)
    return index.data(ConversationIdRole)


def test_every_model_passes_qtmodeltester(shop, make_window, qtbot, qtmodeltester):
    shop.add_conversations(30, unread=2)
    running = make_window()
    window = running.window
    qtmodeltester.check(window.inbox)
    qtmodeltester.check(window.sidebar.views)
    _open_row(qtbot, running, 0)
    qtmodeltester.check(window.thread_pane.model)


def test_the_inbox_pages_in_by_keyset_newest_first(shop, make_window, qtbot):
    shop.add_conversations(250)
    running = make_window()
    window = running.window
    assert window.inbox.rowCount() == 100
    assert window.inbox.canFetchMore()
    window.inbox.fetchMore()
    idle(qtbot, running)
    window.inbox.fetchMore()
    idle(qtbot, running)
    assert window.inbox.rowCount() == 250
    assert not window.inbox.canFetchMore()
    names = [window.inbox.index(r).data(SummaryRole).contact_name for r in range(250)]
    assert names == [f"Customer {n}" for n in range(250)]


def test_opening_a_conversation_marks_it_read(shop, make_window, qtbot):
    shop.add_conversations(3, unread=4)
    running = make_window(login=invited_login(shop.engine, shop.organization_id, shop.owner_id))
    window = running.window
    assert window.sidebar.views.item(1).text() == "Unread  3"
    conversation_id = _open_row(qtbot, running, 1)
    qtbot.waitUntil(lambda: window.inbox.index(1).data(SummaryRole).unread_count == 0)
    assert shop.sql(
        "SELECT unread_count FROM conversations WHERE id = :id", id=conversation_id
    ) == [(0,)]
    qtbot.waitUntil(lambda: window.sidebar.views.item(1).text() == "Unread  2")
    assert window.tray.unread == 8
    # mark unread again
    window.thread_pane.mark_unread_button.click()
    idle(qtbot, running)
    assert window.inbox.index(1).data(SummaryRole).unread_count == 1


def test_a_reply_shows_at_once_and_is_stored_pending_by_its_writer(shop, make_window, qtbot):
    shop.add_conversations(5)
    member = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=member)  # a MEMBER's own login (#13)
    window = running.window
    conversation_id = _open_row(qtbot, running, 3)
    editor = window.thread_pane.composer.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "Yes, it ships tomorrow ")
    editor.insertPlainText("📦")  # QTest types ASCII only
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    thread = window.thread_pane.model
    last = thread.index(thread.rowCount() - 1).data(MessageRole)
    assert (last.content, last.status) == ("Yes, it ships tomorrow 📦", MessageStatus.PENDING)
    idle(qtbot, running)
    stored = shop.sql(
        "SELECT id, status::text, sent_by_user_id, direction::text FROM messages "
        "WHERE conversation_id = :c AND content = 'Yes, it ships tomorrow 📦'",
        c=conversation_id,
    )
    assert stored == [(last.id, "PENDING", member.user_id, "OUTBOUND")]
    # the conversation moved to the top, still selected, its preview the reply
    assert _ids(window)[0] == conversation_id
    assert window.inbox_view.currentIndex().data(ConversationIdRole) == conversation_id
    assert window.inbox.index(0).data(SummaryRole).last_message_preview.startswith("Yes, it ships")
    assert editor.toPlainText() == ""


def test_plain_enter_makes_a_new_line_unless_configured_to_send(shop, make_window, qtbot):
    shop.add_conversations(1)
    running = make_window()
    composer = running.window.thread_pane.composer
    _open_row(qtbot, running, 0)
    qtbot.keyClicks(composer.editor, "line one")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert composer.editor.toPlainText() == "line one\n"
    configured = make_window("enter-sends", send_key="enter")
    sending = configured.window.thread_pane.composer
    _open_row(qtbot, configured, 0)
    qtbot.keyClicks(sending.editor, "line one")
    with qtbot.waitSignal(sending.send_requested):
        qtbot.keyClick(sending.editor, Qt.Key.Key_Return)


def test_close_archive_and_reopen_move_a_conversation_between_views(shop, make_window, qtbot):
    shop.add_conversations(4)
    running = make_window()
    window = running.window
    conversation_id = _open_row(qtbot, running, 0)
    window.thread_pane.close_button.click()
    idle(qtbot, running)
    assert window.thread_pane.subtitle.text() == "WhatsApp · Closed"
    qtbot.waitUntil(lambda: window.sidebar.views.item(6).text() == "Closed  1")
    window.thread_pane.archive_button.click()
    idle(qtbot, running)
    assert conversation_id not in _ids(window), "All hides archived conversations"
    # the archived conversation stays open; no neighbour is opened (and marked read) unasked
    assert window.thread_pane.conversation_id == conversation_id
    window.sidebar.select(InboxView.ARCHIVED)
    idle(qtbot, running)
    assert _ids(window) == [conversation_id]
    window.thread_pane.reopen_button.click()
    idle(qtbot, running)
    assert _ids(window) == []
    assert shop.sql("SELECT status::text FROM conversations WHERE id = :i", i=conversation_id) == [
        ("OPEN",)
    ]


def test_search_finds_names_and_message_words_and_esc_clears_it(shop, make_window, qtbot):
    shop.add_conversations(20)
    shop.sql("UPDATE conversations SET contact_name = 'Ana Souza' WHERE external_id = 'ext-7'")
    shop.sql(
        "UPDATE messages SET content = 'Do you ship to Lisbon?' WHERE external_id = 'msg-ext-12'"
    )
    running = make_window(login=invited_login(shop.engine, shop.organization_id, shop.owner_id))
    window = running.window
    qtbot.keyClicks(window.search, "ana")
    qtbot.waitUntil(
        lambda: [r.contact_name for r in _summaries(window)] == ["Ana Souza"], timeout=5000
    )
    window.search.setText("lisb")
    qtbot.waitUntil(
        lambda: [r.contact_name for r in _summaries(window)] == ["Customer 12"], timeout=5000
    )
    window.search.setText("nothing-like-this")
    qtbot.waitUntil(lambda: window.empty_inbox.isVisible(), timeout=5000)
    assert "No conversation matches" in window.empty_inbox.text()
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    idle(qtbot, running)
    assert window.search.text() == ""
    assert window.inbox.rowCount() == 20


def _summaries(window):
    return [window.inbox.index(r).data(SummaryRole) for r in range(window.inbox.rowCount())]


def test_sending_is_disabled_with_the_reason_when_the_connection_expired(shop, make_window, qtbot):
    shop.add_conversations(2)
    shop.sql(
        "UPDATE platform_connections SET status = 'EXPIRED', error_message = 'Session expired' "
        "WHERE platform = 'WHATSAPP'"
    )
    running = make_window()
    composer = running.window.thread_pane.composer
    _open_row(qtbot, running, 0)
    assert composer.blocked_reason is not None
    assert "expired: reconnect it to reply" in composer.reason.text()
    assert "Session expired" in composer.reason.text()
    qtbot.keyClicks(composer.editor, "hello")
    assert not composer.send_button.isEnabled()


def _arrive(
    shop, window, conversation_id: str, external_id: str, content: str, *, announce: bool = False
) -> None:
    """A customer's message is stored, and the window told of it (as an arrival
    to notify about, when ``announce``)."""
    with unit_of_work(shop.sessions) as session:
        add_inbound(
            session,
            shop.organization_id,
            Arrival(
                conversation_id=conversation_id,
                external_id=external_id,
                content=content,
                sent_at=datetime.now(UTC),
            ),
        )
    ids = frozenset({conversation_id})
    arrivals = ((conversation_id, content),) if announce else ()
    window.apply_changes(Changes(conversations=ids, messages=ids, arrivals=arrivals))


def test_a_new_message_moves_its_row_to_the_top_and_keeps_the_selection(shop, make_window, qtbot):
    shop.add_conversations(10, unread=0)
    running = make_window()
    window = running.window
    selected = _open_row(qtbot, running, 2)
    arriving = _ids(window)[6]
    _arrive(shop, window, arriving, "new-1", "Is it still available?", announce=True)
    idle(qtbot, running)
    assert _ids(window)[0] == arriving
    assert window.inbox.index(0).data(SummaryRole).unread_count == 1
    assert window.inbox_view.currentIndex().data(ConversationIdRole) == selected
    assert window.thread_pane.conversation_id == selected


def test_a_new_message_in_the_open_thread_appears_at_the_bottom(shop, make_window, qtbot):
    shop.add_conversations(3)
    running = make_window()
    window = running.window
    conversation_id = _open_row(qtbot, running, 0)
    _arrive(shop, window, conversation_id, "live-1", "One more thing!")
    idle(qtbot, running)
    thread = window.thread_pane.model
    assert thread.index(thread.rowCount() - 1).data(MessageRole).content == "One more thing!"


def test_older_messages_load_when_scrolling_up(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql(
        """INSERT INTO messages
             (id, organization_id, conversation_id, direction, content, platform_timestamp)
           SELECT 'older' || n, :org, (SELECT id FROM conversations LIMIT 1), 'INBOUND',
                  'Older message ' || n, now() - (n + 5) * interval '1 hour'
           FROM generate_series(1, 120) n""",
        org=shop.organization_id,
    )
    running = make_window()
    window = running.window
    _open_row(qtbot, running, 0)
    thread = window.thread_pane.model
    assert thread.rowCount() == 50
    window.thread_pane.view.verticalScrollBar().setValue(0)
    idle(qtbot, running)
    qtbot.waitUntil(lambda: thread.rowCount() == 100)
    # the newest page was the conversation's own message and older 1–49
    first = thread.index(0).data(MessageRole)
    assert first.content == "Older message 99"


def test_a_failed_reply_offers_a_retry(demo_shop, make_window, qtbot):
    running = make_window()
    window = running.window
    failed = running.window.inbox.rowCount()  # 30 demo conversations, one snoozed
    assert failed == 29
    conversation = next(r for r in _summaries(window) if r.contact_name == "Lukas Becker")
    window.open_conversation(conversation.id)
    idle(qtbot, running)
    thread = window.thread_pane.model
    row = next(
        r
        for r in range(thread.rowCount())
        if thread.index(r).data(MessageRole).status is MessageStatus.FAILED
    )
    message_id = thread.index(row).data(MessageRole).id
    window.thread_pane.view.clicked.emit(thread.index(row))
    idle(qtbot, running)
    assert thread.index(row).data(MessageRole).status is MessageStatus.PENDING
    assert shop_status(demo_shop, message_id) == "PENDING"


def test_keyboard_moves_between_conversations_and_ctrl_k_switches(shop, make_window, qtbot):
    shop.add_conversations(6)
    running = make_window()
    window = running.window
    _open_row(qtbot, running, 0)
    window.activateWindow()
    window.move_selection(1)
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == _ids(window)[1]
    window.move_selection(-1)
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == _ids(window)[0]
    window.switcher.open_switcher()
    qtbot.keyClicks(window.switcher.search, "Customer 4")
    qtbot.waitUntil(lambda: window.switcher.results.rowCount() == 1, timeout=5000)
    with qtbot.waitSignal(window.switcher.conversation_chosen):
        qtbot.keyClick(window.switcher.search, Qt.Key.Key_Return)
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == _ids(window)[4]


def test_window_geometry_and_splitter_are_remembered(shop, make_window, qtbot):
    running = make_window()
    running.window.resize(760, 560)  # inside the offscreen screen (800×600): no clamping
    qtbot.wait(20)
    running.window.splitter.setSizes([150, 250, 340])
    sizes = running.window.splitter.sizes()
    running.window.close()
    again = make_window()
    assert again.window.size() == running.window.size()
    assert again.window.splitter.sizes() == sizes


def test_the_window_renders_in_light_and_dark(demo_shop, make_window, qtbot, tmp_path):
    running = make_window()
    window = running.window
    window.resize(1200, 760)
    _open_row(qtbot, running, 0)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    brightness = {}
    for name, dark in (("light", False), ("dark", True)):
        apply_theme(app, dark=dark)
        qtbot.wait(50)
        image = window.grab().toImage()
        target = tmp_path / f"window-{name}.png"
        assert image.save(str(target))
        assert target.stat().st_size > 20_000
        samples = [
            QColor(image.pixel(x, y)).lightness()
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 37)
        ]
        brightness[name] = sum(samples) / len(samples)
    apply_theme(app, dark=False)
    assert brightness["dark"] < brightness["light"] - 60


def test_a_notification_opens_its_conversation(shop, make_window, qtbot):
    shop.add_conversations(3)
    running = make_window()
    window = running.window
    target = _ids(window)[2]
    window.tray.notify(target, "Customer 2", "hi")
    window.tray.icon.messageClicked.emit()
    idle(qtbot, running)
    assert window.thread_pane.conversation_id == target


def test_with_no_organisation_the_window_says_what_to_do(make_window, qtbot):
    running = make_window()
    assert "--demo" in running.window.empty_inbox.text()
    assert running.window.identity is None


def test_views_filter_by_platform(shop, make_window, qtbot):
    shop.add_conversations(3, Platform.WHATSAPP)
    shop.sql(
        "UPDATE conversations SET platform = 'TIKTOK', platform_connection_id = :c "
        "WHERE external_id = 'ext-1'",
        c=shop.connections[Platform.TIKTOK],
    )
    running = make_window()
    window = running.window
    window.sidebar.select(InboxView.TIKTOK)
    idle(qtbot, running)
    assert [r.platform for r in _summaries(window)] == [Platform.TIKTOK]
    assert window.sidebar.views.item(4).text() == "TikTok  1"
    assert ConversationStatus.OPEN is _summaries(window)[0].status


def shop_status(sessions, message_id: str) -> str:
    with sessions() as session:
        return session.execute(
            text("SELECT status::text FROM messages WHERE id = :i"), {"i": message_id}
        ).scalar_one()


def test_the_thread_stays_pinned_to_the_bottom_unless_scrolled_away(shop, make_window, qtbot):
    shop.add_conversations(1)
    shop.sql(
        """INSERT INTO messages (id, organization_id, conversation_id, direction, content,
                                 platform_timestamp)
           SELECT 'older' || n, :org, (SELECT id FROM conversations LIMIT 1), 'INBOUND',
                  'Message number ' || n, now() - (n + 5) * interval '1 minute'
           FROM generate_series(1, 40) n""",
        org=shop.organization_id,
    )
    running = make_window()
    window = running.window
    window.resize(760, 560)
    conversation_id = _open_row(qtbot, running, 0)
    bar = window.thread_pane.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    _arrive(shop, window, conversation_id, "pin-1", "Still there?")
    idle(qtbot, running)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    bar.setValue(bar.maximum() // 2)
    reading = bar.value()
    _arrive(shop, window, conversation_id, "pin-2", "Hello??")
    idle(qtbot, running)
    qtbot.wait(50)
    assert bar.value() == reading, "reading older messages is not interrupted"
    thread = window.thread_pane.model
    assert thread.index(thread.rowCount() - 1).data(MessageRole).content == "Hello??"


def test_rows_scrolled_far_away_keep_only_their_place_and_come_back(shop, make_window, qtbot):
    shop.add_conversations(3400)
    running = make_window()
    inbox = running.window.inbox
    while inbox.canFetchMore():
        inbox.fetchMore()
        idle(qtbot, running)
    assert inbox.rowCount() == 3400
    # Rows on screen stay cached; row 250, loaded early and off screen, left the
    # 3,000-row cache and kept only its place.
    assert inbox.summary_at(0) is not None
    assert inbox.summary_at(250) is None
    assert inbox.index(250).data(ConversationIdRole) == "c" + "250".rjust(24, "0")
    assert inbox.index(250).data(SummaryRole) is None  # asks for its block...
    idle(qtbot, running)
    assert inbox.index(250).data(SummaryRole).contact_name == "Customer 250"  # ...which arrives
    assert inbox.index(299).data(SummaryRole).contact_name == "Customer 299"
    running.window.inbox_view.scrollToTop()
    running.window.inbox_view.viewport().repaint()  # the placeholder/refetch path paints


def test_a_reaction_edit_or_delete_changes_the_bubble_already_shown(shop, make_window, qtbot):
    shop.add_conversations(2)
    running = make_window()
    window = running.window
    conversation_id = _open_row(qtbot, running, 0)
    thread = window.thread_pane.model
    shown = thread.index(thread.rowCount() - 1).data(MessageRole)
    shop.sql(
        "UPDATE messages SET reactions = '{\"customer\": \"😮\"}', content = 'edited words', "
        "edited_at = now() WHERE id = :id",
        id=shown.id,
    )
    ids = frozenset({conversation_id})
    window.apply_changes(Changes(messages=ids))
    idle(qtbot, running)
    now = thread.index(thread.rowCount() - 1).data(MessageRole)
    assert (now.id, now.reactions, now.content, now.edited) == (
        shown.id,
        ("😮",),
        "edited words",
        True,
    )
    assert thread.rowCount() == 1
