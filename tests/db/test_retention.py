"""The FREE plan's 30-day history: the boundary on the server's clock, batches,
two apps at once, every copy of the content, the warning before the first purge."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.store import retention
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.maintenance import purge_history
from tests.history import History
from tests.pooler import pgbouncer_in_front_of


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


def purge(engine, sessions, **options):
    """Without the week of warning: these tests are about what goes."""
    options.setdefault("warning_period", timedelta(0))
    return purge_history(engine, sessions, **options)


def remaining(history: History) -> set[str]:
    return {
        row[0]
        for row in history.sql(
            "SELECT id FROM messages WHERE organization_id = :org", org=history.organization_id
        )
    }


def test_29_days_23_hours_are_kept_30_days_and_a_minute_are_gone(engine, sessions):
    history = History.shop(engine, PlanType.FREE)
    chat = history.conversation()
    kept = {
        history.old_message(chat, "INBOUND", "29 days 23 hours"),
        history.old_message(chat, "OUTBOUND", "1 day"),
    }
    gone = {
        history.old_message(chat, "INBOUND", "30 days 1 minute"),
        history.old_message(chat, "INBOUND", "400 days"),
    }
    with sessions() as session:
        assert retention.messages_past_boundary(session, history.organization_id) == 2

    report = purge(engine, sessions)

    assert report.messages == 2
    assert remaining(history) == kept
    assert not gone & remaining(history)


def test_pro_and_business_keep_everything(engine, sessions):
    for plan in (PlanType.PRO, PlanType.BUSINESS):
        history = History.shop(engine, plan, slug=plan.value.lower())
        chat = history.conversation()
        history.old_message(chat, "INBOUND", "400 days")
        assert purge(engine, sessions).messages == 0
        assert len(remaining(history)) == 1


def test_batches_remove_everything_past_the_boundary(engine, sessions):
    history = History.shop(engine, PlanType.FREE)
    chat = history.conversation()
    history.sql(
        "INSERT INTO messages (id, organization_id, conversation_id, direction, created_at) "
        "SELECT 'old' || n, :org, :chat, 'INBOUND', now() - interval '31 days' "
        "FROM generate_series(1, 1234) n",
        org=history.organization_id,
        chat=chat,
    )
    fresh = history.old_message(chat, "INBOUND", "1 hour")
    report = purge(engine, sessions, batch=100)
    assert report.messages == 1234
    assert remaining(history) == {fresh}


def test_two_apps_purging_at_once_delete_each_message_once(engine, sessions, database_url):
    history = History.shop(engine, PlanType.FREE)
    for _ in range(20):
        chat = history.conversation()
        history.sql(
            "INSERT INTO messages (id, organization_id, conversation_id, direction, created_at) "
            "SELECT :chat || '-' || n, :org, :chat, 'INBOUND', now() - interval '40 days' "
            "FROM generate_series(1, 250) n",
            org=history.organization_id,
            chat=chat,
        )
    with unit_of_work(sessions) as session:  # both apps see the warning as old
        retention.organizations_due(session)
    history.sql("UPDATE history_retention SET warned_at = now() - interval '8 days'")
    other_engine = create_database_engine(database_url)
    reports = []
    errors = []
    start = threading.Barrier(2)

    def app(app_engine):
        try:
            start.wait()
            reports.append(purge_history(app_engine, session_factory(app_engine), batch=97))
        except Exception as error:  # pragma: no cover - the assertion shows it
            errors.append(error)

    threads = [threading.Thread(target=app, args=(e,)) for e in (engine, other_engine)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other_engine.dispose()

    assert errors == []
    assert sum(report.messages for report in reports) == 5000
    assert remaining(history) == set()


def test_two_batches_that_meet_skip_each_others_rows(engine, sessions):
    """Even without the advisory lock (a purge by hand), no row is deleted twice."""
    history = History.shop(engine, PlanType.FREE)
    for _ in range(10):  # one conversation each: the two batches touch different ones
        history.old_message(history.conversation(), "INBOUND", "31 days")
    with sessions() as first, first.begin():
        boundary = retention.history_boundary(first)
        taken = retention.purge_batch(first, history.organization_id, boundary, 6)
        with sessions() as second, second.begin():
            assert retention.purge_batch(second, history.organization_id, boundary, 6) == 4
    assert taken == 6
    assert remaining(history) == set()


def test_a_conversation_left_without_messages_keeps_no_preview_nor_unread(engine, sessions):
    history = History.shop(engine, PlanType.FREE)
    emptied = history.conversation()
    history.old_message(emptied, "INBOUND", "35 days")
    living = history.conversation()
    history.old_message(living, "INBOUND", "35 days")
    history.old_message(living, "INBOUND", "35 days")
    history.old_message(living, "INBOUND", "2 days")
    history.sql("UPDATE conversations SET last_message_preview = 'old words', unread_count = 3")
    purge(engine, sessions)
    rows = dict(
        (row[0], row[1:])
        for row in history.sql("SELECT id, last_message_preview, unread_count FROM conversations")
    )
    assert rows[emptied] == (None, 0)
    assert rows[living] == ("old words", 1)


def test_stored_webhook_bodies_past_the_boundary_go_unprocessed_ones_stay(engine, sessions):
    history = History.shop(engine, PlanType.PRO)
    history.sql(
        "INSERT INTO webhook_events (id, source, dedupe_key, body, received_at, processed_at) "
        "VALUES ('old', 'meta', 'a', 'x', now() - interval '31 days', now() - interval '31 days'),"
        " ('waiting', 'meta', 'b', 'x', now() - interval '31 days', NULL),"
        " ('recent', 'meta', 'c', 'x', now() - interval '29 days', now())"
    )
    report = purge(engine, sessions)
    assert report.webhook_events == 1
    assert {row[0] for row in history.sql("SELECT id FROM webhook_events")} == {
        "waiting",
        "recent",
    }


def test_the_first_purge_waits_a_week_after_the_warning(engine, sessions):
    history = History.shop(engine, PlanType.FREE)
    chat = history.conversation()
    history.old_message(chat, "INBOUND", "31 days")

    assert purge_history(engine, sessions).messages == 0  # warned now
    with sessions() as session:
        notice = retention.retention_notice(session, history.organization_id)
    assert notice is not None and notice.past_boundary == 1 and not notice.purged_before
    assert notice.purge_from is not None
    assert (
        history.scalar(
            "SELECT :purge_from - warned_at FROM history_retention", purge_from=notice.purge_from
        )
        == retention.WARNING_PERIOD
    )

    history.sql("UPDATE history_retention SET warned_at = now() - interval '7 days 1 minute'")
    assert purge_history(engine, sessions).messages == 1
    # and then at most once a day
    history.old_message(chat, "INBOUND", "31 days")
    assert purge_history(engine, sessions).messages == 0
    with sessions() as session:
        notice = retention.retention_notice(session, history.organization_id)
    assert notice is not None and notice.purged_before


def test_leaving_free_and_coming_back_warns_again(engine, sessions):
    history = History.shop(engine, PlanType.FREE)
    history.old_message(history.conversation(), "INBOUND", "31 days")
    purge_history(engine, sessions)
    history.sql("UPDATE history_retention SET warned_at = now() - interval '30 days'")
    history.sql("UPDATE organizations SET plan = 'PRO'")
    with sessions() as session:
        assert retention.retention_notice(session, history.organization_id) is None
    purge_history(engine, sessions)
    history.sql("UPDATE organizations SET plan = 'FREE'")
    assert purge_history(engine, sessions).messages == 0  # warned afresh
    assert history.scalar("SELECT warned_at > now() - interval '1 minute' FROM history_retention")


def test_a_purge_held_by_another_app_is_skipped(engine, sessions):
    with engine.begin() as other:  # another app's purge transaction under way
        other.execute(text("SELECT pg_advisory_xact_lock(hashtext('snorq-retention-purge'))"))
        assert purge_history(engine, sessions).ran is False
    assert purge_history(engine, sessions).ran is True


def test_a_purge_through_the_pooler_leaves_no_lock_behind(engine, sessions, database_url):
    """Behind a transaction pooler a session lock stays on the server connection
    that took it, and every later purge, pooled or not, is told another app runs."""
    history = History.shop(engine, PlanType.FREE)
    history.old_message(history.conversation(), "INBOUND", "31 days")
    with pgbouncer_in_front_of(database_url) as pooled:
        pooled_engine = create_database_engine(pooled)
        try:
            for _ in range(3):
                assert purge_history(pooled_engine, session_factory(pooled_engine)).ran is True
        finally:
            pooled_engine.dispose()
    assert purge_history(engine, sessions).ran is True
    assert history.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0


def test_a_poll_does_not_bring_back_what_the_purge_removed(engine, sessions):
    from datetime import UTC, datetime, timedelta

    from snorq_desktop.domain.enums import MessageDirection, Platform
    from snorq_desktop.domain.platform_events import PlatformMessage
    from snorq_desktop.store.ingest import ingest_messages

    history = History.shop(engine, PlanType.FREE)

    def said(days_ago: float, n: int) -> PlatformMessage:
        return PlatformMessage(
            platform=Platform.WHATSAPP,
            account_id="1055",
            conversation_id="wa-1",
            contact_id="wa-1",
            message_id=f"wamid.{n}",
            direction=MessageDirection.INBOUND,
            sent_at=datetime.now(UTC) - timedelta(days=days_ago),
            content=f"message {n}",
        )

    with unit_of_work(sessions) as session:
        result = ingest_messages(
            session,
            organization_id=history.organization_id,
            connection_id=history.connections[Platform.WHATSAPP],
            platform=Platform.WHATSAPP,
            messages=[said(31, 1), said(29, 2)],
        )
    assert result.inserted == 1
    assert history.scalar("SELECT content FROM messages") == "message 2"


def test_a_closing_app_stops_between_batches(engine, sessions):
    history = History.shop(engine, PlanType.FREE)
    for _ in range(10):
        history.old_message(history.conversation(), "INBOUND", "31 days")
    asked = []

    def stopping() -> bool:
        asked.append(1)
        return len(asked) > 2  # after two batches

    report = purge(engine, sessions, batch=3, stopping=stopping)
    assert report.messages == 6
    assert len(remaining(history)) == 4
    # the next run finishes the job, nothing twice
    assert purge(engine, sessions, batch=3).messages == 4
