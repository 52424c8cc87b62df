"""Send later (#17.4) against the fake platforms (real HTTP on 127.0.0.1) and the
real test database, with the sender's clock moved instead of waiting: a
scheduled reply waits in the outbox and goes when due, from whichever app
works the connection (the one that scheduled it runs no sync at all here);
one whose window closed meanwhile is refused with the reason on its bubble;
a time past the window is refused when scheduling, writing nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.send_later import CannotSchedule
from snorq_desktop.store import send_later
from snorq_desktop.store.unit_of_work import unit_of_work
from tests.world import PAGE, PHONE

H = timedelta(hours=1)
CUSTOMER = "447700900123"
GONE = {"SENT", "DELIVERED", "READ"}  # the fake's status webhooks move it on


def _conversation(world, external: str = CUSTOMER) -> str:
    return world.sql("SELECT id FROM conversations WHERE external_id = :e", e=external)[0][0]


def _schedule(world, text: str, when: datetime, external: str = CUSTOMER) -> str:
    message_id = new_id()
    with unit_of_work(world.sessions) as session:
        send_later.schedule_reply(
            session,
            organization_id=world.org,
            conversation_id=_conversation(world, external),
            message_id=message_id,
            sender_id=world.owner,
            text=text,
            when=when,
        )
    return message_id


def _customer_wrote(world) -> None:
    world.meta.customer_writes(PHONE, CUSTOMER, "Is the blue dress available?", name="Ana")
    world.run_pass()


def test_a_scheduled_reply_waits_until_it_is_due_then_goes(world):
    _customer_wrote(world)
    start = datetime.now(UTC)
    later = _schedule(world, "Good morning! It is back in stock.", start + 2 * H)
    now = world.reply(CUSTOMER, "Let me check")  # written after, sent at once: not held up
    world.run_pass()
    world.run_pass(clock=lambda: start + 2 * H - timedelta(minutes=1))
    assert [s["text"] for s in world.meta.sent] == ["Let me check"]
    assert world.status_of(later)[0] == "PENDING"
    assert world.status_of(now)[0] in GONE
    report = world.run_pass(clock=lambda: start + 2 * H + timedelta(seconds=5))
    assert report.sent == 1
    assert [s["text"] for s in world.meta.sent] == [
        "Let me check",
        "Good morning! It is back in stock.",
    ]
    assert world.status_of(later)[0] in GONE
    world.run_pass(clock=lambda: start + 3 * H)
    assert len(world.meta.sent) == 2, "never sent twice"


def test_a_scheduled_reply_whose_window_closed_meanwhile_is_refused_with_the_reason(world):
    _customer_wrote(world)
    said = world.sql("SELECT last_inbound_at FROM conversations")[0][0]
    message_id = _schedule(world, "Still interested?", said + 23 * H)  # open then
    # The app was closed past the window's end: the next app to work the
    # connection finds it due, and its window closed.
    world.run_pass(clock=lambda: said + 24 * H + timedelta(minutes=5))
    status, _, reason = world.status_of(message_id)
    assert status == "FAILED"
    assert reason.startswith("Not sent at its time: WhatsApp allows replies for 24 hours")
    assert world.meta.sent == []


def test_a_time_past_the_window_is_refused_when_scheduling_and_nothing_is_written(world):
    _customer_wrote(world)
    said = world.sql("SELECT last_inbound_at FROM conversations")[0][0]
    with pytest.raises(CannotSchedule) as refused:
        _schedule(world, "Too late", said + 24 * H + timedelta(minutes=1))
    assert refused.value.template_instead
    assert "24 hours" in refused.value.sentence
    with pytest.raises(CannotSchedule, match="in the future"):
        _schedule(world, "Yesterday", datetime.now(UTC) - H)
    with pytest.raises(CannotSchedule, match="7 days"):
        _schedule(world, "Next month", datetime.now(UTC) + 30 * 24 * H)
    assert world.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]
    # Messenger: six days on is still inside the human-agent week; no template offered.
    world.meta.customer_writes(PAGE, "6200123", "Bonjour", name="Chloé", whatsapp=False)
    world.run_pass()
    _schedule(world, "Bonjour !", datetime.now(UTC) + 6 * 24 * H, external="6200123")
    with pytest.raises(CannotSchedule) as messenger:
        _schedule(world, "Trop tard", datetime.now(UTC) + 7 * 24 * H + H, "6200123")
    assert not messenger.value.template_instead


def test_a_scheduled_reply_can_be_cancelled_until_an_app_begins_sending_it(world):
    _customer_wrote(world)
    start = datetime.now(UTC)
    first = _schedule(world, "See you at 9", start + H)
    with unit_of_work(world.sessions) as session:
        conversation, text = send_later.cancel_scheduled(session, world.org, first)
    assert (conversation, text) == (_conversation(world), "See you at 9")
    assert world.sql("SELECT count(*) FROM messages WHERE id = :i", i=first) == [(0,)]
    with pytest.raises(NotFound), unit_of_work(world.sessions) as session:
        send_later.cancel_scheduled(session, world.org, first)  # a teammate was first
    second = _schedule(world, "Ready!", start + H)
    world.run_pass(clock=lambda: start + 2 * H)
    assert world.status_of(second)[0] in GONE
    with pytest.raises(NotFound, match="Too late"), unit_of_work(world.sessions) as session:
        send_later.cancel_scheduled(session, world.org, second)
    with pytest.raises(NotFound), unit_of_work(world.sessions) as session:
        send_later.cancel_scheduled(session, "another-shop", second)
