"""The daily analytics rollup on hand-made timelines: the figures' arithmetic,
idempotence, late arrivals, and one rollup at a time."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from snorq_desktop.domain.analytics import DateRange, average
from snorq_desktop.domain.enums import PlanType, Platform
from snorq_desktop.store import analytics
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.history import History

DAY = datetime(2026, 11, 20, tzinfo=UTC)


def at(hours: float, day: datetime = DAY) -> datetime:
    return day + timedelta(hours=hours)


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def history(engine):
    return History.shop(engine)


def roll_up(sessions) -> analytics.RollupResult:
    with unit_of_work(sessions) as session:
        return analytics.roll_up(session)


def daily(history: History) -> dict[date, tuple[Any, ...]]:
    rows = history.sql(
        "SELECT date, messages_received, messages_sent, conversations_new, avg_response_time "
        "FROM daily_analytics WHERE organization_id = :org ORDER BY date",
        org=history.organization_id,
    )
    return {row[0]: row[1:] for row in rows}


def by_platform(history: History) -> dict[tuple[date, str], tuple[Any, ...]]:
    rows = history.sql(
        "SELECT date, platform::text, messages_received, messages_sent, conversations_new, "
        "responses, response_seconds FROM daily_platform_analytics "
        "WHERE organization_id = :org ORDER BY date, platform",
        org=history.organization_id,
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def test_consecutive_customer_messages_count_from_the_first_unanswered_one(history, sessions):
    chat = history.conversation(at(9))
    history.message(chat, "INBOUND", at(9))
    history.message(chat, "INBOUND", at(9 + 2 / 60))
    history.message(chat, "OUTBOUND", at(9 + 10 / 60))  # 600 s after 09:00, not 480
    history.message(chat, "OUTBOUND", at(9 + 11 / 60))  # a second reply: no new response
    history.message(chat, "INBOUND", at(10))
    history.message(chat, "OUTBOUND", at(10 + 30 / 3600))  # 30 s

    assert roll_up(sessions).days == 1

    # received 3, sent 3, one new conversation, (600 + 30) / 2 = 315 s
    assert daily(history) == {DAY.date(): (3, 3, 1, 315)}
    assert by_platform(history) == {(DAY.date(), "WHATSAPP"): (3, 3, 1, 2, 630)}


def test_a_reply_after_midnight_counts_on_its_own_day_and_failed_replies_do_not_answer(
    history, sessions
):
    chat = history.conversation(at(23.5), Platform.FACEBOOK)
    history.message(chat, "INBOUND", at(23 + 50 / 60))
    history.message(chat, "OUTBOUND", at(24 + 20 / 60))  # next day, 1,800 s later
    history.message(chat, "INBOUND", at(26))
    history.message(chat, "OUTBOUND", at(26 + 5 / 60), status="FAILED")
    history.message(chat, "OUTBOUND", at(26 + 30 / 60), status="PENDING")  # 1,800 s

    roll_up(sessions)

    next_day = DAY.date() + timedelta(days=1)
    assert daily(history) == {
        DAY.date(): (1, 0, 1, None),
        # received 1; sent 1 (the failed and the pending one are not sent); 2 responses
        next_day: (1, 1, 0, 1800),
    }


def test_running_the_rollup_twice_counts_nothing_twice(history, sessions):
    for hour in range(5):
        chat = history.conversation(at(hour), [*Platform][hour % 3])
        history.message(chat, "INBOUND", at(hour))
        history.message(chat, "OUTBOUND", at(hour + 0.25))
    roll_up(sessions)
    first = (daily(history), by_platform(history))

    assert roll_up(sessions).days == 0  # nothing changed: nothing recomputed
    with unit_of_work(sessions) as session:
        analytics.note_everything(session)  # and a full recompute changes nothing either
    assert roll_up(sessions).days == 1
    assert (daily(history), by_platform(history)) == first
    assert daily(history)[DAY.date()] == (5, 5, 5, 900)


def test_a_late_customer_message_corrects_its_day_and_the_reply_it_waited_for(history, sessions):
    chat = history.conversation(at(9))
    history.message(chat, "INBOUND", at(9))
    history.message(chat, "OUTBOUND", at(9.5))
    roll_up(sessions)
    assert daily(history) == {DAY.date(): (1, 1, 1, 1800)}

    # Polled hours later: a message the customer wrote the evening before.
    history.message(chat, "INBOUND", at(-2))
    roll_up(sessions)

    day_before = DAY.date() - timedelta(days=1)
    # The conversation now started the day before; the reply waited 11.5 hours.
    assert daily(history) == {
        day_before: (1, 0, 1, None),
        DAY.date(): (1, 1, 0, 11.5 * 3600),
    }


def test_a_late_reply_between_a_question_and_the_answer_takes_the_response(history, sessions):
    chat = history.conversation(at(10))
    history.message(chat, "INBOUND", at(10))
    history.message(chat, "OUTBOUND", at(10 + 30 / 3600))
    roll_up(sessions)
    assert daily(history)[DAY.date()][3] == 30

    history.message(chat, "OUTBOUND", at(10 + 10 / 3600))  # sent from the phone, seen late
    roll_up(sessions)

    assert daily(history)[DAY.date()] == (1, 2, 1, 10)


def test_a_reply_that_fails_later_is_no_longer_sent_nor_a_response(history, sessions):
    chat = history.conversation(at(9))
    history.message(chat, "INBOUND", at(9))
    reply = history.message(chat, "OUTBOUND", at(9.25))
    roll_up(sessions)
    assert daily(history)[DAY.date()] == (1, 1, 1, 900)

    history.sql("UPDATE messages SET status = 'FAILED' WHERE id = :id", id=reply)
    roll_up(sessions)

    assert daily(history)[DAY.date()] == (1, 0, 1, None)


def test_a_conversation_of_only_our_messages_counts_no_response(history, sessions):
    # e.g. a template sent first, or messages sent from the business's phone
    chat = history.conversation(at(9))
    history.message(chat, "OUTBOUND", at(9))
    roll_up(sessions)
    assert by_platform(history) == {(DAY.date(), "WHATSAPP"): (0, 1, 1, 0, 0)}
    history.message(chat, "OUTBOUND", at(9.5))
    roll_up(sessions)
    assert by_platform(history) == {(DAY.date(), "WHATSAPP"): (0, 2, 1, 0, 0)}
    assert daily(history)[DAY.date()] == (0, 2, 1, None)


def test_delivery_ticks_leave_the_figures_alone(history, sessions):
    chat = history.conversation(at(9))
    history.message(chat, "INBOUND", at(9))
    reply = history.message(chat, "OUTBOUND", at(9.25))
    roll_up(sessions)
    history.sql("UPDATE messages SET status = 'READ' WHERE id = :id", id=reply)
    assert history.scalar("SELECT count(*) FROM analytics_pending") == 0


def test_one_rollup_at_a_time(history, sessions):
    chat = history.conversation(at(9))
    history.message(chat, "INBOUND", at(9))
    with unit_of_work(sessions) as first:
        assert analytics.roll_up(first).ran
        assert roll_up(sessions) == analytics.RollupResult(ran=False)
    assert daily(history) == {DAY.date(): (1, 0, 1, None)}


def test_a_note_written_during_a_rollup_waits_for_the_next_one(history, sessions, engine):
    chat = history.conversation(at(9))
    history.message(chat, "INBOUND", at(9))
    with unit_of_work(sessions) as session:
        analytics.roll_up(session)
        # Committed by another app while this rollup's transaction is still open.
        history.message(chat, "INBOUND", at(9.5))
    assert daily(history)[DAY.date()][0] == 1
    roll_up(sessions)
    assert daily(history)[DAY.date()][0] == 2


def test_the_dashboard_reads_days_and_platforms(history, sessions):
    whatsapp = history.conversation(at(9))
    tiktok = history.conversation(at(33), Platform.TIKTOK)
    history.message(whatsapp, "INBOUND", at(9))
    history.message(whatsapp, "OUTBOUND", at(9 + 1 / 60))  # 60 s
    history.message(tiktok, "INBOUND", at(33))
    history.message(tiktok, "OUTBOUND", at(33 + 2 / 60))  # next day, 120 s
    roll_up(sessions)

    with sessions() as session:
        board = analytics.dashboard(
            session, history.organization_id, DateRange(DAY.date(), DAY.date() + timedelta(2))
        )
    assert [d.received for d in board.days()] == [1, 1, 0]
    assert [d.received for d in board.days(Platform.TIKTOK)] == [0, 1, 0]
    totals = board.totals()
    assert (totals.received, totals.sent, totals.new_conversations) == (2, 2, 2)
    assert totals.average_response_seconds == 90


def test_free_days_past_the_history_boundary_are_not_recomputed_from_what_is_left(engine):
    history = History.shop(engine, PlanType.FREE)
    sessions = session_factory(engine)
    chat = history.conversation()
    old = history.old_message(chat, "INBOUND", "40 days")
    history.old_message(chat, "INBOUND", "40 days")
    roll_up(sessions)
    old_day = history.scalar("SELECT ((now() - interval '40 days') AT TIME ZONE 'UTC')::date")
    assert daily(history)[old_day][0] == 2

    history.sql("DELETE FROM messages WHERE id = :id", id=old)  # purged
    history.old_message(chat, "INBOUND", "40 days")  # and a late one on that day
    roll_up(sessions)
    assert daily(history)[old_day][0] == 2  # history as measured, not what is left


def test_average_rounds_half_up():
    assert average(3, 2) == 2
    assert average(5, 2) == 3
    assert average(0, 0) is None


def test_the_rollup_needs_no_organisation_filter_to_stay_apart(engine):
    first = History.shop(engine, slug="one")
    second = History.shop(engine, slug="two")
    sessions = session_factory(engine)
    first.message(first.conversation(at(9)), "INBOUND", at(9))
    for _ in range(3):
        second.message(second.conversation(at(9)), "INBOUND", at(9))
    roll_up(sessions)
    assert daily(first) == {DAY.date(): (1, 0, 1, None)}
    assert daily(second) == {DAY.date(): (3, 0, 3, None)}
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM organizations WHERE id = :id"), {"id": first.organization_id}
        )
    assert daily(first) == {}


def test_a_sync_pass_rolls_up_and_purges(engine):
    import asyncio

    from snorq_desktop.sync.engine import SyncEngine

    history = History.shop(engine, PlanType.FREE)
    sessions = session_factory(engine)
    chat = history.conversation(at(9))
    history.message(chat, "INBOUND", at(9))
    history.old_message(chat, "INBOUND", "45 days")
    sync = SyncEngine(engine, sessions, None, {})

    async def two_passes() -> int:
        report = await sync.pass_once()
        await asyncio.sleep(0)
        while sync._purge is not None and not sync._purge.done():
            await asyncio.sleep(0.05)
        return report.analytics_days

    assert asyncio.run(two_passes()) == 2
    # the conversation began 45 days ago: not new on DAY
    assert daily(history)[DAY.date()] == (1, 0, 0, None)
    # The first pass warned the shop; the purge waits a week.
    assert history.scalar("SELECT count(*) FROM history_retention WHERE warned_at IS NOT NULL") == 1
    assert history.scalar("SELECT count(*) FROM messages") == 2
