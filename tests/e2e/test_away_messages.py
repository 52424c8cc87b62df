"""Away and greeting messages against the fake platforms (#17.6): two apps of a
team, each running its sync, send a customer's away message exactly once,
whichever of them stored the message; a new customer is greeted first."""

from snorq_desktop.domain.business_hours import AutomaticKind, BusinessHours
from snorq_desktop.domain.enums import MessageDirection
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store import automatic_replies
from snorq_desktop.store.unit_of_work import unit_of_work
from tests.world import BUSINESS, PHONE, World, wait_for

AWAY = "Thanks! We're closed now and answer from 9:00."
GREETING = "Welcome to the shop!"


def _closed_all_week(world: World, *, greeting: bool = False) -> None:
    hours = BusinessHours(
        "Europe/Lisbon",
        (None,) * 7,
        away_on=True,
        away_text=AWAY,
        greeting_on=greeting,
        greeting_text=GREETING,
    )
    with unit_of_work(world.sessions) as session:
        automatic_replies.save_business_hours(session, world.org, hours, world.owner)


def _events(world: World) -> int:
    return world.sql("SELECT count(*) FROM webhook_events")[0][0]


def test_two_apps_at_once_send_the_away_message_once(world, tmp_path):
    _closed_all_week(world)
    world.meta.status_script = []  # only the messages matter here
    world.meta.customer_writes(PHONE, "447700900123", "Is the shop open?", name="Ana")
    wait_for(lambda: _events(world) == 1)
    first, second = world.run_pass(engines=2)
    assert first.stored + second.stored == 1, "one app stored the customer's message"
    assert first.sent + second.sent == 1
    world.meta.customer_writes(PHONE, "447700900123", "Hello?")  # the same closed period
    wait_for(lambda: _events(world) == 2)
    world.run_pass(engines=2)
    world.run_pass(engines=2)
    assert [(s["to"], s["text"]) for s in world.meta.sent] == [("447700900123", AWAY)]
    service = InboxService(
        world.sessions, ReplyJournal(tmp_path / "j.json"), acting_user_id=world.owner
    )
    [conversation] = world.sql("SELECT id FROM conversations")
    thread = service.thread(conversation[0], None)
    ours = [m for m in thread if m.direction is MessageDirection.OUTBOUND]
    assert [(m.content, m.automatic, m.status.value) for m in ours] == [
        (AWAY, AutomaticKind.AWAY, "SENT")
    ]
    assert ours[0].sender_name is None


def test_a_new_customer_is_greeted_then_told_the_shop_is_away_on_tiktok_by_polling(world):
    _closed_all_week(world, greeting=True)
    world.tiktok.webhook_url = None
    world.tiktok.customer_writes(BUSINESS, "user-42", "Hi! Do you ship to Osaka?", name="Kenji")
    world.run_pass(engines=2)
    world.run_pass(engines=2)
    assert [s["text"] for s in world.tiktok.sent] == [GREETING, AWAY]


def test_a_customer_already_answered_by_a_person_gets_no_away_message(world):
    world.meta.status_script = []
    world.meta.customer_writes(PHONE, "447700900123", "hi")
    wait_for(lambda: _events(world) == 1)
    world.run_pass()
    world.reply("447700900123", "Hello Ana, how can I help?")
    _closed_all_week(world)
    world.run_pass()
    world.run_pass()
    assert [s["text"] for s in world.meta.sent] == ["Hello Ana, how can I help?"]


def test_two_open_windows_syncing_send_one_away_message_at_once(
    world, qtbot, tmp_path, monkeypatch, qt_loop
):
    """Two apps of the team, each with its sync runner on the window's loop: the
    customer's webhook is stored by one, the away message goes at once (not at the
    next pass, two minutes away), and only once, whichever app holds the connection
    (the storing app asks for the lease again while the other app's pass holds it)."""
    from snorq_desktop.boot.app import Database
    from snorq_desktop.boot.paths import AppPaths
    from snorq_desktop.boot.window import build_window

    monkeypatch.setenv("SNORQ_GRAPH_URL", world.meta.url)
    monkeypatch.setenv("SNORQ_TIKTOK_URL", world.tiktok.url + "/open_api/v1.3")
    _closed_all_week(world)
    world.meta.status_script = []
    opened = []
    for name in ("maya", "leo"):
        paths = AppPaths.resolve(tmp_path / name)
        paths.create()
        running = build_window(
            Database(world.engine, world.sessions, "test", embedded=False),
            paths,
            demo=False,
            sealer=world.cipher,
            sync_interval=120,
            loop=qt_loop,
        )
        qtbot.addWidget(running.window)
        opened.append(running)
    try:
        qtbot.wait(500)  # both listeners connected, both first passes over
        world.meta.customer_writes(PHONE, "447700900123", "Are you open?", name="Ana")
        # (a bound for a loaded machine, well short of the next pass)
        qtbot.waitUntil(lambda: len(world.meta.sent) == 1, timeout=20_000)
        world.meta.customer_writes(PHONE, "447700900123", "Hello?")
        qtbot.waitUntil(
            lambda: (
                world.sql("SELECT count(*) FROM messages WHERE direction = 'INBOUND'") == [(2,)]
            ),
            timeout=20_000,
        )
        qtbot.wait(1000)  # room for a second away message, had there been one
        assert [s["text"] for s in world.meta.sent] == [AWAY]
    finally:
        for running in opened:
            running.close()
