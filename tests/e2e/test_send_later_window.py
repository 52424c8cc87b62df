"""Send later in the window (#17.4, offscreen, real database, a member's login):
"Send later…" beside Send offers ready times and a custom one; a scheduled
reply shows in the thread as "Scheduled for 14:00" and a click cancels it
(its text back in the reply box); a time past WhatsApp's window is refused in
a sentence that offers a template, writing nothing."""

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from snorq_desktop.domain.enums import MessageStatus
from snorq_desktop.domain.inbox import ThreadMessage
from snorq_desktop.ui.message_delegate import meta_text
from tests.e2e.conftest import idle
from tests.shop import invited_login

H = timedelta(hours=1)


def _opened(shop, make_window, qtbot, wrote_ago: timedelta):
    shop.add_conversations(1, prefix="Ana")
    shop.sql(
        "UPDATE conversations SET last_inbound_at = now() - CAST(:ago AS interval)",
        ago=f"{int(wrote_ago.total_seconds())} seconds",
    )
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=login)
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    return running, window.thread_pane


def _scheduled(shop) -> list[tuple[str, str]]:
    return shop.sql(
        "SELECT content, status::text FROM messages WHERE send_at IS NOT NULL ORDER BY created_at"
    )


def test_a_reply_scheduled_shows_in_the_thread_and_a_click_cancels_it(shop, make_window, qtbot):
    running, pane = _opened(shop, make_window, qtbot, 2 * H)
    later = pane.send_later
    assert not later.button.isEnabled(), "nothing written, nothing to schedule"
    qtbot.keyClicks(pane.composer.editor, "Good morning! It is back in stock.")
    assert later.button.isEnabled()
    later.menu.aboutToShow.emit()
    labels = [a.text() for a in later.menu.actions() if a.text()]
    assert labels[0].startswith("In 1 hour  (")
    assert any(label.startswith("Tomorrow at 9:00") for label in labels)
    assert labels[-1] == "Custom time…"
    when = datetime.now(UTC) + 3 * H
    with qtbot.waitSignal(later.scheduled):
        later.schedule_at(when)
    idle(qtbot, running)
    assert pane.composer.editor.toPlainText() == ""
    assert _scheduled(shop) == [("Good morning! It is back in stock.", "PENDING")]
    row = pane.model.rowCount() - 1
    message = pane.model.message_at(row)
    assert message is not None and message.send_at is not None
    local = when.astimezone()
    expected = (
        f"🕓 Scheduled for {local:%H:%M}"
        if local.date() == datetime.now().date()
        else (f"🕓 Scheduled for {local:%a %H:%M}")
    )
    assert expected + " · click to cancel" in meta_text(message)
    pane.view.scrollToBottom()
    rect = pane.view.visualRect(pane.model.index(row))
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    idle(qtbot, running)
    assert _scheduled(shop) == []
    assert pane.composer.editor.toPlainText() == "Good morning! It is back in stock."
    assert all(
        m is None or m.status is not MessageStatus.PENDING
        for m in (pane.model.message_at(r) for r in range(pane.model.rowCount()))
    )


def test_a_time_past_whatsapps_window_is_refused_with_a_template_offered(shop, make_window, qtbot):
    running, pane = _opened(shop, make_window, qtbot, 23 * H + 30 * timedelta(minutes=1))
    qtbot.keyClicks(pane.composer.editor, "See you tomorrow")
    pane.send_later.schedule_at(datetime.now(UTC) + H)
    idle(qtbot, running)
    box = pane.send_later.refusal
    assert box is not None and box.isVisible()
    assert "WhatsApp allows replies for 24 hours" in box.text()
    assert "template" in box.text()
    assert [b.text() for b in box.buttons() if b.objectName() == "sendTemplateInstead"] == [
        "Send a template…"
    ]
    assert _scheduled(shop) == []
    assert pane.composer.editor.toPlainText() == "See you tomorrow", "nothing lost"
    box.close()
    # Inside the window the same reply is taken.
    pane.send_later.schedule_at(datetime.now(UTC) + 20 * timedelta(minutes=1))
    idle(qtbot, running)
    assert _scheduled(shop) == [("See you tomorrow", "PENDING")]


def test_a_teammates_window_shows_the_scheduled_reply_and_its_cancel_live(shop, make_window, qtbot):
    shop.add_conversations(1, prefix="Ana")
    shop.sql("UPDATE conversations SET last_inbound_at = now() - interval '1 hour'")
    first, second = make_window("maya"), make_window("leo")
    qtbot.wait(300)  # both listeners connected
    for running in (first, second):
        running.window.inbox_view.setCurrentIndex(running.window.inbox.index(0))
        idle(qtbot, running)
    pane, theirs = first.window.thread_pane, second.window.thread_pane.model

    def scheduled_there() -> list[str]:
        rows = (theirs.message_at(r) for r in range(theirs.rowCount()))
        return [m.content or "" for m in rows if m is not None and m.send_at is not None]

    qtbot.keyClicks(pane.composer.editor, "Back in stock tomorrow")
    pane.send_later.schedule_at(datetime.now(UTC) + 2 * H)
    qtbot.waitUntil(lambda: scheduled_there() == ["Back in stock tomorrow"], timeout=2000)

    def mine() -> list[ThreadMessage]:
        rows = (pane.model.message_at(r) for r in range(pane.model.rowCount()))
        return [m for m in rows if m is not None and m.send_at is not None]

    qtbot.waitUntil(lambda: len(mine()) == 1)
    message = mine()[0]
    pane.send_later.cancel(message)
    qtbot.waitUntil(lambda: scheduled_there() == [], timeout=2000)
