"""Migration 0006 on a database that already holds messages: the first rollup
counts them all; and it goes back down cleanly."""

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.migrate import migrations_directory
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.sync.maintenance import roll_up
from tests.history import History


def migrate(engine, target: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def test_messages_stored_before_the_upgrade_are_counted_by_the_first_rollup(empty_database):
    engine = create_database_engine(empty_database)
    try:
        migrate(engine, "0004")
        history = History.shop(engine)
        chat = history.conversation(datetime(2026, 3, 1, 9, tzinfo=UTC))
        history.message(chat, "INBOUND", datetime(2026, 3, 1, 9, tzinfo=UTC))
        history.message(chat, "OUTBOUND", datetime(2026, 3, 1, 9, 5, tzinfo=UTC))
        migrate(engine, "head")
        assert roll_up(session_factory(engine)).days == 1
        assert history.sql(
            "SELECT date::text, messages_received, messages_sent, conversations_new, "
            "avg_response_time FROM daily_analytics"
        ) == [("2026-03-01", 1, 1, 1, 300)]

        migrate(engine, "0004", down=True)
        with engine.connect() as connection:
            left = connection.execute(
                text(
                    "SELECT count(*) FROM pg_tables WHERE tablename IN ('daily_analytics', "
                    "'daily_platform_analytics', 'analytics_pending', 'history_retention')"
                )
            ).scalar_one()
        assert left == 0
        history.message(chat, "INBOUND", datetime(2026, 3, 2, tzinfo=UTC))  # no trigger left
    finally:
        engine.dispose()


def test_after_0029_a_late_message_still_counts_the_day_s_other_conversations(empty_database):
    """0029 notes every conversation, so the first rollup after it stores every
    (conversation, day) before any day is re-summed from those rows."""
    engine = create_database_engine(empty_database)
    try:
        migrate(engine, "0028_snooze")
        history = History.shop(engine)
        morning = datetime(2026, 3, 1, 9, tzinfo=UTC)
        first, second = history.conversation(morning), history.conversation(morning)
        history.message(first, "INBOUND", morning)
        history.message(second, "INBOUND", morning)
        # As a rollup under 0028 leaves it: its notes taken, its day's figures stored.
        history.sql("DELETE FROM analytics_pending")
        history.sql(
            "INSERT INTO daily_analytics (id, organization_id, date, messages_received, "
            "conversations_new) VALUES ('cday0', :org, '2026-03-01', 2, 2)",
            org=history.organization_id,
        )
        migrate(engine, "head")
        history.message(first, "INBOUND", datetime(2026, 3, 1, 10, tzinfo=UTC))  # late
        roll_up(session_factory(engine))
        assert history.sql(
            "SELECT date::text, messages_received, conversations_new FROM daily_analytics"
        ) == [("2026-03-01", 3, 2)]
        assert history.scalar("SELECT count(*) FROM conversation_day_analytics") == 2
    finally:
        engine.dispose()
