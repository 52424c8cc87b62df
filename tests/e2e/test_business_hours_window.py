"""Team ▸ Business hours… in the window (#17.6, offscreen, real database): an
owner sets the time zone, the week and the two messages, each refusal said in a
sentence that saves nothing; a MEMBER's own login sees them disabled with the
sentence why; a teammate's open dialog follows a save."""

import time

from PySide6.QtCore import Qt, QTime
from sqlalchemy import text

from snorq_desktop.domain.business_hours import AutomaticKind, OpenHours
from snorq_desktop.store import automatic_replies as store
from snorq_desktop.ui.business_hours_dialog import MEMBER_SENTENCE
from snorq_desktop.ui.inbox_model import ConversationIdRole
from snorq_desktop.ui.message_delegate import meta_text
from snorq_desktop.ui.thread_model import MessageRole
from tests.e2e.conftest import idle
from tests.shop import invited_login


def _stored(shop):
    with shop.sessions() as session:
        return store.read_business_hours(session, shop.organization_id)


def _opened(running, qtbot):
    dialog = running.window.business_hours.open_dialog()
    assert dialog is not None
    idle(qtbot, running)
    return dialog


def test_an_owner_sets_the_week_and_the_away_message_and_hears_each_refusal(
    shop, make_window, qtbot
):
    running = make_window(as_administrator=True)  # the owner: a member only reads them
    assert "Business hours…" in [a.text() for a in running.window.menus.team.actions()]
    dialog = _opened(running, qtbot)
    assert dialog.can_change and not dialog.notice.isVisible()
    assert [day.open.isChecked() for day in dialog.days] == [True] * 5 + [False] * 2
    dialog.zone.setCurrentText("Europe/Lisbon")
    friday = dialog.days[4]
    friday.opens.setTime(QTime(18, 0))
    friday.closes.setTime(QTime(2, 0))  # after midnight
    dialog.days[6].open.setChecked(True)  # Sunday, all day
    dialog.days[6].opens.setTime(QTime(0, 0))
    dialog.days[6].closes.setTime(QTime(0, 0))
    dialog.away_on.setChecked(True)
    dialog.away_text.setPlainText("")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Write the away message before turning it on."
    assert _stored(shop) is None
    dialog.away_text.setPlainText("Closed now, back at 9!")
    dialog.zone.setCurrentText("Lisbon")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "“Lisbon” is not a time zone SNORQ knows."
    assert _stored(shop) is None
    dialog.zone.setCurrentText("Europe/Lisbon")
    assert dialog.preview.text().startswith("Now it is ")
    assert "in Europe/Lisbon" in dialog.preview.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    idle(qtbot, running)
    assert not dialog.error.isVisible()
    saved = _stored(shop)
    assert saved is not None
    assert (saved.time_zone, saved.away_on, saved.away_text) == (
        "Europe/Lisbon",
        True,
        "Closed now, back at 9!",
    )
    assert saved.week[4] == OpenHours.parse("18:00", "02:00")
    assert saved.week[5] is None
    assert saved.week[6] == OpenHours.parse("00:00", "24:00")
    assert not saved.greeting_on


def test_a_member_sees_the_hours_disabled_with_the_sentence_why(shop, make_window, qtbot):
    login = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    running = make_window(login=login)
    dialog = _opened(running, qtbot)
    assert not dialog.can_change
    assert dialog.notice.isVisible() and dialog.notice.text() == MEMBER_SENTENCE
    assert not dialog.save_button.isEnabled()
    assert not dialog.zone.isEnabled() and not dialog.away_text.isEnabled()
    assert not any(day.open.isEnabled() or day.opens.isEnabled() for day in dialog.days)


def test_a_save_reaches_a_teammates_open_dialog(shop, make_window, qtbot):
    # The owner saves; a member's open dialog follows.
    first, second = make_window("maya", as_administrator=True), make_window("leo")
    qtbot.wait(300)  # both listeners connected
    mine, theirs = _opened(first, qtbot), _opened(second, qtbot)
    mine.greeting_on.setChecked(True)
    mine.greeting_text.setPlainText("Welcome to the shop!")
    qtbot.mouseClick(mine.save_button, Qt.MouseButton.LeftButton)
    started = time.monotonic()
    qtbot.waitUntil(lambda: theirs.greeting_on.isChecked(), timeout=1000)
    took = time.monotonic() - started
    print(f"\nthe teammate's dialog shows the greeting after {took:.3f} s (limit 1 s)")
    assert theirs.greeting_text.toPlainText() == "Welcome to the shop!"


def test_the_demo_has_business_hours_and_one_away_message_with_its_caption(
    demo_shop, make_window, qtbot
):
    running = make_window()
    window = running.window
    dialog = _opened(running, qtbot)
    assert dialog.zone.currentText() == "Europe/Lisbon"
    assert dialog.away_on.isChecked() and dialog.greeting_on.isChecked()
    assert dialog.days[5].read() == OpenHours.parse("10:00", "14:00")
    dialog.close()
    with demo_shop() as session:
        [conversation] = session.execute(
            text("SELECT conversation_id FROM automatic_replies WHERE kind = 'AWAY'")
        ).scalars()
    rows = [window.inbox.index(r) for r in range(window.inbox.rowCount())]
    [row] = [i for i in rows if i.data(ConversationIdRole) == conversation]
    window.inbox_view.setCurrentIndex(row)
    idle(qtbot, running)
    model = window.thread_pane.model
    shown = [model.index(r).data(MessageRole) for r in range(model.rowCount())]
    [away] = [m for m in shown if m is not None and m.automatic is AutomaticKind.AWAY]
    assert "Automatic – away message" in meta_text(away)
    assert away.content.startswith("Thanks for your message! Our workshop is closed")
