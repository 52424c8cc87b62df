"""Two apps on one database see each other's changes at once, and a webhook
received by the relay shows in an open window (LISTEN/NOTIFY).  These apps
poll once an hour, so anything seen within a few seconds came by NOTIFY; how
long it takes is measured outside the tests (bench/relay_latency.py,
bench/reply_latency.py), since a full CI run on 2 shared cores made a
one-second limit here fail now and then."""

import json
import uuid

from PySide6.QtCore import Qt

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.team_notice import encode_notice, read_notice, team_channel
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.store.webhook_events import record_event
from snorq_desktop.ui.inbox_model import ConversationIdRole, SummaryRole
from snorq_desktop.ui.thread_model import MessageRole
from tests import webhook_bodies as bodies
from tests.e2e.conftest import idle


def _summary(window, conversation_id):
    row = window.inbox.row_of(conversation_id)
    return window.inbox.summary_at(row) if row >= 0 else None


def test_a_reply_and_a_read_in_one_app_show_in_the_other(shop, make_window, qtbot):
    shop.add_conversations(5, unread=2)
    first, second = make_window("maya"), make_window("leo")
    qtbot.wait(300)  # both listeners connected
    target = first.window.inbox.index(3).data(ConversationIdRole)
    first.window.inbox_view.setCurrentIndex(first.window.inbox.index(3))  # opening reads it
    idle(qtbot, first)
    qtbot.waitUntil(lambda: _summary(second.window, target).unread_count == 0, timeout=3000)
    composer = first.window.thread_pane.composer
    qtbot.keyClicks(composer.editor, "On its way today")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: (
            second.window.inbox.index(0).data(ConversationIdRole) == target
            and second.window.inbox.index(0).data(SummaryRole).last_message_preview
            == "On its way today"
        ),
        timeout=3000,
    )
    # the other app's open thread gains the reply too
    second.window.open_conversation(target)
    idle(qtbot, second)
    thread = second.window.thread_pane.model
    assert thread.index(thread.rowCount() - 1).data(MessageRole).content == "On its way today"


def test_a_webhook_stored_by_the_relay_reaches_the_open_window(shop, qt_loop, make_window, qtbot):
    shop.sql(
        "UPDATE platform_connections SET platform_user_id = '106540352242922' "
        "WHERE platform = 'WHATSAPP'"
    )
    running = make_window(loop=qt_loop)
    qtbot.wait(300)
    raw = json.dumps(bodies.whatsapp_message(1, text="Do you ship to Porto?")).encode()
    with unit_of_work(shop.sessions) as session:  # exactly what the relay does
        record_event(session, "meta", raw)
    inbox = running.window.inbox
    qtbot.waitUntil(lambda: inbox.rowCount() == 1, timeout=2000)
    summary = inbox.index(0).data(SummaryRole)
    assert (summary.contact_name, summary.last_message_preview, summary.platform) == (
        "Ana Souza",
        "Do you ship to Porto?",
        Platform.WHATSAPP,
    )
    assert shop.sql("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == [(0,)]


def test_webhooks_received_while_no_app_ran_are_stored_when_one_starts(
    shop, qt_loop, make_window, qtbot
):
    shop.sql(
        "UPDATE platform_connections SET platform_user_id = '106540352242922' "
        "WHERE platform = 'WHATSAPP'"
    )
    with unit_of_work(shop.sessions) as session:
        for n in range(3):
            record_event(session, "meta", json.dumps(bodies.whatsapp_message(n)).encode())
    running = make_window(loop=qt_loop)
    qtbot.waitUntil(lambda: running.window.inbox.rowCount() == 1, timeout=3000)
    qtbot.waitUntil(lambda: running.window.inbox.summary_at(0).unread_count == 3, timeout=3000)


def test_one_webhook_is_shown_once_by_the_app_that_stored_it_and_heard_by_the_other(
    shop, qt_loop, make_window, qtbot
):
    """Only the sync runner stores what the relay received; the app that stored it
    applies the change once (its runner hands it over, its NOTIFY echo is skipped),
    so its tray says it once; another app of the team hears it by NOTIFY."""
    shop.sql(
        "UPDATE platform_connections SET platform_user_id = '106540352242922' "
        "WHERE platform = 'WHATSAPP'"
    )
    storing, other = make_window("maya", loop=qt_loop), make_window("leo")
    qtbot.wait(300)  # both listeners connected, the first pass over
    applied: dict[str, list[object]] = {"maya": [], "leo": []}
    notified: list[str] = []
    for name, running in (("maya", storing), ("leo", other)):
        model = running.window.inbox
        original = model.apply_changes

        def recorded(changes, original=original, seen=applied[name]):
            if changes.arrivals:
                seen.append(changes)
            original(changes)

        model.apply_changes = recorded
    storing.window.isActiveWindow = lambda: False  # the person is in another program
    storing.window.tray.notify = lambda conversation_id, title, preview: notified.append(preview)
    raw = json.dumps(bodies.whatsapp_message(1, text="Do you ship to Porto?")).encode()
    with unit_of_work(shop.sessions) as session:  # exactly what the relay does
        record_event(session, "meta", raw)
    qtbot.waitUntil(lambda: other.window.inbox.rowCount() == 1, timeout=3000)
    qtbot.waitUntil(lambda: storing.window.inbox.rowCount() == 1, timeout=3000)
    qtbot.wait(500)  # room for a second application, had there been one
    idle(qtbot, storing)
    assert len(applied["maya"]) == 1
    assert notified == ["Do you ship to Porto?"]
    assert len(applied["leo"]) == 1
    assert other.window.inbox.index(0).data(SummaryRole).last_message_preview == (
        "Do you ship to Porto?"
    )


def test_a_forged_notice_shows_only_what_the_database_holds(shop, make_window, qtbot):
    """Any login of the database may NOTIFY (no privilege covers it): a notice is a
    hint to re-read as this member, so forged words never reach the desktop."""
    shop.add_conversations(2)
    running = make_window("leo")
    qtbot.wait(300)  # its listener connected
    notified: list[tuple[str, str, str]] = []
    running.window.isActiveWindow = lambda: False
    running.window.tray.notify = lambda *shown: notified.append(shown)
    target = running.window.inbox.index(1).data(ConversationIdRole)
    stored = _summary(running.window, target)
    channel = team_channel(shop.organization_id)
    words = "Your order is held: pay the fee to IBAN XX00 0000"
    for forged in (
        # the old shape, a conversation with words of the forger's choice
        {"o": shop.organization_id, "from": "x", "c": [target], "a": [[target, words]]},
        {"o": shop.organization_id, "from": "x", "c": [[1]], "m": "abc", "a": [None, 5]},
        [1, 2],
        {"o": shop.organization_id, "from": "x", "c": [target], "a": [target], "w": words},
    ):
        shop.sql(
            "SELECT pg_notify(:channel, :payload)", channel=channel, payload=json.dumps(forged)
        )
    qtbot.waitUntil(lambda: bool(notified), timeout=3000)
    qtbot.wait(300)  # room for a notification the forged words would have made
    assert notified == [(target, stored.contact_name, stored.last_message_preview)]
    assert not any(words in shown for entry in notified for shown in entry)


def test_a_notice_names_ids_only_on_the_organisations_own_channel():
    organisation = "5f0c3a52-8d3e-4a36-9f59-0d2b1f0f7a11"
    changes = Changes(conversations=frozenset({"c1"}), arrivals=(("c1", "Do you ship to Porto?"),))
    payload = encode_notice(organisation, changes, "app-1")
    assert "Porto" not in payload
    assert read_notice(payload)[2] == Changes(
        conversations=frozenset({"c1"}), arrivals=(("c1", ""),)
    )
    channel = team_channel(organisation)
    assert channel.startswith("snorq_changes_")
    assert len(channel.encode()) <= 63
    assert team_channel(str(uuid.uuid4())) != channel
