"""The incremental rollup against the definitions: after late messages (and a
reply that fails later) its figures are what a recount from scratch gives, and
it reads the changed conversations' days, not the threads of the
conversations on them nor the other conversations of those days (their
figures are re-summed from the rows stored per conversation and day)."""

import math
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import Platform
from snorq_desktop.store import analytics
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.history import History

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


def roll_up(sessions) -> None:
    with unit_of_work(sessions) as session:
        analytics.roll_up(session)


def stored(history: History) -> dict[tuple[date, str], tuple[int, ...]]:
    rows = history.sql(
        "SELECT date, platform::text, messages_received, messages_sent, conversations_new, "
        "responses, response_seconds FROM daily_platform_analytics WHERE organization_id = :org",
        org=history.organization_id,
    )
    return {(r[0], r[1]): tuple(r[2:]) for r in rows if any(r[2:])}


def recounted(history: History) -> dict[tuple[date, str], tuple[int, ...]]:
    """The figures of domain/analytics.py, counted in Python from every message."""
    rows = history.sql(
        "SELECT m.conversation_id, c.platform::text, c.created_at, m.id, m.direction::text, "
        "m.status::text, COALESCE(m.platform_timestamp, m.created_at) FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id WHERE m.organization_id = :org",
        org=history.organization_id,
    )
    threads = defaultdict(list)
    for conversation, platform, created, message, direction, status, said in rows:
        if not (direction == "OUTBOUND" and status == "FAILED"):
            threads[conversation].append((said, message, direction, status, platform, created))
    figures: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for thread in threads.values():
        thread.sort(key=lambda m: (m[0], m[1]))
        previous, waiting_since = None, None
        for position, (said, _, direction, status, platform, created) in enumerate(thread):
            day = said.astimezone(UTC).date()
            counts = figures[(day, platform)]
            if direction == "INBOUND":
                counts[0] += 1
                if previous != "INBOUND":
                    waiting_since = said
            elif status in ("SENT", "DELIVERED", "READ"):
                counts[1] += 1
            if position == 0 and min(created, said).astimezone(UTC).date() == day:
                counts[2] += 1
            if direction == "OUTBOUND" and previous == "INBOUND":
                counts[3] += 1
                counts[4] += math.floor((said - waiting_since).total_seconds())
            previous = direction
    return {key: tuple(value) for key, value in figures.items() if any(value)}


def test_after_late_messages_the_rollup_equals_a_recount_from_scratch(engine, sessions):
    history = History.shop(engine)
    rng = random.Random(15)
    chats = []
    for n in range(8):
        # Some conversations were opened before their first message was said.
        opened = START + timedelta(hours=rng.uniform(-30, 40))
        chats.append(history.conversation(opened, [*Platform][n % 3]))
    messages = []
    for chat in chats:
        said = START + timedelta(hours=rng.uniform(0, 48))
        for _ in range(rng.randint(5, 25)):
            # Long gaps, so customers' waits and runs cross midnight and whole days.
            said += timedelta(minutes=rng.choice([1, 20, 300, 900, 2000]))
            direction = rng.choice(["INBOUND", "INBOUND", "OUTBOUND"])
            status = "FAILED" if direction == "OUTBOUND" and rng.random() < 0.15 else None
            messages.append((history.message(chat, direction, said, status=status), said))
    roll_up(sessions)
    assert stored(history) == recounted(history)

    window = (START + timedelta(days=2), START + timedelta(days=5))
    for _ in range(30):  # late: said days ago, stored now, between the others
        history.message(
            rng.choice(chats),
            rng.choice(["INBOUND", "OUTBOUND"]),
            window[0] + timedelta(minutes=rng.uniform(0, 3 * 24 * 60)),
        )
    inside = [m for m, said in messages if window[0] <= said < window[1]]
    for message in rng.sample(inside, 5):  # replies that failed after all, and back
        history.sql(
            "UPDATE messages SET status = CAST(CASE WHEN status = 'FAILED' THEN 'SENT' "
            "ELSE 'FAILED' END AS \"MessageStatus\") WHERE id = :id AND direction = 'OUTBOUND'",
            id=message,
        )
    with unit_of_work(sessions) as session:
        # A few days: the days' own messages are read, not the whole threads.
        assert analytics.roll_up(session).days < analytics.WHOLE_THREADS_FROM_DAYS
    incremental = stored(history)
    assert incremental == recounted(history)

    with unit_of_work(sessions) as session:
        analytics.note_everything(session)
    with unit_of_work(sessions) as session:  # every day: whole threads, in order
        assert analytics.roll_up(session).days >= analytics.WHOLE_THREADS_FROM_DAYS
    assert stored(history) == incremental


def test_a_late_message_reads_its_days_not_the_whole_thread(engine, sessions):
    history = History.shop(engine)
    chat = history.conversation(START)
    # A long thread: 600 messages, one every hour over 25 days.
    history.sql(
        "INSERT INTO messages (id, organization_id, conversation_id, direction, content, status, "
        "platform_timestamp, external_id) SELECT 'h' || lpad(n::text, 24, '0'), :org, :chat, "
        "CAST(CASE WHEN n % 2 = 0 THEN 'INBOUND' ELSE 'OUTBOUND' END AS \"MessageDirection\"), "
        "'hello', 'SENT', :start + n * interval '1 hour', 'x' || n "
        "FROM generate_series(1, 600) n",
        org=history.organization_id,
        chat=chat,
        start=START,
    )
    history.sql("ANALYZE messages")  # sized as it is, so the planner picks the thread index
    roll_up(sessions)
    history.message(chat, "INBOUND", START + timedelta(days=10, minutes=30))
    read_so_far = text(
        "SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) "
        "FROM pg_stat_xact_user_tables WHERE relname = 'messages'"
    )
    with unit_of_work(sessions) as session:
        # As on a big table, where the planner picks the indexes for these probes.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        before = session.execute(read_so_far).scalar_one()  # counters not yet flushed
        analytics.roll_up(session)
        read = session.execute(read_so_far).scalar_one() - before
    # The late message's day (and the next reply's): about 25 messages, a few
    # probes before them; the whole thread would be 601.
    assert read < 100
    assert stored(history) == recounted(history)


def test_late_messages_over_several_days_roll_up_as_a_full_recount_does(engine, sessions):
    history = History.shop(engine)
    day = START + timedelta(days=3)  # midnight between the 3rd and the 4th of November
    waited = history.conversation(day - timedelta(days=1))
    answered = history.conversation(day - timedelta(days=1))
    history.message(waited, "INBOUND", day - timedelta(minutes=10))
    history.message(waited, "OUTBOUND", day + timedelta(minutes=20))
    history.message(answered, "OUTBOUND", day - timedelta(hours=3))
    # A long thread, so the full recount below reads whole threads (10+ days).
    long_thread = history.conversation(START, Platform.TIKTOK)
    for hours in range(0, 14 * 24, 7):
        direction = ["INBOUND", "OUTBOUND"][hours % 2]
        history.message(long_thread, direction, START + timedelta(hours=hours))
    roll_up(sessions)

    # Late, over four days: the customer wrote again after midnight, before our
    # reply (which still answers the wait begun the day before); a question
    # the day before a reply that opens the next day; a run crossing two midnights.
    history.message(waited, "INBOUND", day + timedelta(minutes=5))
    history.message(answered, "INBOUND", day - timedelta(minutes=5))
    history.message(answered, "OUTBOUND", day + timedelta(minutes=15))
    history.message(answered, "INBOUND", day + timedelta(hours=23))
    history.message(answered, "INBOUND", day + timedelta(days=1, hours=2))
    history.message(answered, "OUTBOUND", day + timedelta(days=2, hours=1))
    history.message(long_thread, "INBOUND", day - timedelta(days=1, minutes=1))
    with unit_of_work(sessions) as session:
        assert analytics.roll_up(session).days < analytics.WHOLE_THREADS_FROM_DAYS
    incremental = stored(history)
    assert incremental == recounted(history)
    # The reply at 00:20 waited from 23:50 the day before, not from 00:05; the
    # one at 00:15 from 23:55; the one two days on from 23:00 (26 hours).
    assert incremental[(day.date(), "WHATSAPP")][3:] == (2, 30 * 60 + 20 * 60)
    assert incremental[((day + timedelta(days=2)).date(), "WHATSAPP")][3:] == (1, 26 * 3600)

    with unit_of_work(sessions) as session:
        analytics.note_everything(session)
    with unit_of_work(sessions) as session:  # every day, from whole threads
        assert analytics.roll_up(session).days >= analytics.WHOLE_THREADS_FROM_DAYS
    assert stored(history) == incremental


READ_SO_FAR = text(
    "SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) "
    "FROM pg_stat_xact_user_tables WHERE relname = 'messages'"
)


def test_a_late_message_on_a_busy_day_reads_its_conversation_not_the_day(engine, sessions):
    history = History.shop(engine)
    day = START + timedelta(days=4)
    chats = [history.conversation(day - timedelta(days=1)) for _ in range(40)]
    # 40 conversations of 10 messages each, all said on the same day.
    history.sql(
        "INSERT INTO messages (id, organization_id, conversation_id, direction, content, status, "
        "platform_timestamp, external_id) SELECT 'b' || lpad((c * 100 + n)::text, 24, '0'), :org, "
        "(CAST(:chats AS text[]))[c], "
        "CAST(CASE WHEN n % 2 = 0 THEN 'INBOUND' ELSE 'OUTBOUND' END AS \"MessageDirection\"), "
        "'hello', 'SENT', :day + c * interval '10 minutes' + n * interval '1 minute', "
        "'b' || c || '-' || n FROM generate_series(1, 40) c, generate_series(1, 10) n",
        org=history.organization_id,
        chats=[chat for chat in chats],
        day=day,
    )
    history.sql("ANALYZE messages")
    roll_up(sessions)
    assert stored(history) == recounted(history)

    history.message(chats[7], "INBOUND", day + timedelta(hours=2, minutes=30))
    with unit_of_work(sessions) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # as on a big table
        before = session.execute(READ_SO_FAR).scalar_one()
        assert analytics.roll_up(session).days == 1
        read = session.execute(READ_SO_FAR).scalar_one() - before
    # Its conversation's day (11 messages) and a few probes; the day is 401.
    assert read < 40
    assert stored(history) == recounted(history)


def test_a_day_is_re_summed_from_its_conversations_stored_figures(engine, sessions):
    history = History.shop(engine)
    day = START + timedelta(days=2)
    quiet, busy = history.conversation(day), history.conversation(day)
    history.message(quiet, "INBOUND", day + timedelta(hours=1))
    history.message(busy, "INBOUND", day + timedelta(hours=2))
    roll_up(sessions)
    assert history.sql(
        "SELECT conversation_id, messages_received, conversations_new "
        "FROM conversation_day_analytics ORDER BY conversation_id"
    ) == sorted([(quiet, 1, 1), (busy, 1, 1)])
    # What is stored for the quiet conversation is what its day is summed from:
    # a late message in the other one does not re-read the quiet one's messages.
    history.sql(
        "UPDATE conversation_day_analytics SET messages_received = 5 WHERE conversation_id = :c",
        c=quiet,
    )
    history.message(busy, "INBOUND", day + timedelta(minutes=30))
    roll_up(sessions)
    assert stored(history)[(day.date(), "WHATSAPP")][0] == 5 + 2
    # A full rollup recomputes every pair from the messages again.
    with unit_of_work(sessions) as session:
        analytics.note_everything(session)
    roll_up(sessions)
    assert stored(history) == recounted(history)
