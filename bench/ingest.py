"""Idempotent ingest of 10,000 inbound messages across 2,000 conversations, in
messages per second, beside the naive per-row ORM way and beside a bare binary
COPY into a staging table (this machine's limit).  Run on the big shop of
bench/dataset.py so the indexes are full-sized.

    python -m bench.ingest --database-url URL
"""

import argparse
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from bench.dataset import ORGANIZATION
from snorq_desktop.domain.enums import MessageDirection, Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.ingest import _COLUMNS, _STAGING, _TYPES, ingest_messages
from snorq_desktop.store.models import Conversation, Message
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work


def batch(run: str, count: int = 10_000, conversations: int = 2_000) -> list[PlatformMessage]:
    now = datetime.now(UTC)
    return [
        PlatformMessage(
            platform=Platform.WHATSAPP,
            account_id="WHATSAPP",
            conversation_id=f"{run}-c{n % conversations}",
            contact_id=f"{run}-c{n % conversations}",
            message_id=f"{run}-m{n}",
            direction=MessageDirection.INBOUND,
            sent_at=now - timedelta(seconds=count - n),
            content=f"hello number {n} from the bench",
            contact_name=f"Bench {n % conversations}",
        )
        for n in range(count)
    ]


def naive(sessions, connection: str, messages: list[PlatformMessage]) -> None:
    """Check, then insert, row by row: what a first version would do."""
    with unit_of_work(sessions) as session:
        for m in messages:
            conversation = session.execute(
                select(Conversation).where(
                    Conversation.platform_connection_id == connection,
                    Conversation.external_id == m.conversation_id,
                )
            ).scalar_one_or_none()
            if conversation is None:
                conversation = Conversation(
                    organization_id=ORGANIZATION,
                    platform_connection_id=connection,
                    platform=m.platform,
                    external_id=m.conversation_id,
                    contact_external_id=m.contact_id,
                    contact_name=m.contact_name,
                )
                session.add(conversation)
                session.flush()
            exists = session.execute(
                select(Message.id).where(
                    Message.conversation_id == conversation.id, Message.external_id == m.message_id
                )
            ).first()
            if exists is None:
                session.add(
                    Message(
                        organization_id=ORGANIZATION,
                        conversation_id=conversation.id,
                        external_id=m.message_id,
                        direction=m.direction,
                        content=m.content,
                        platform_timestamp=m.sent_at,
                    )
                )
                conversation.unread_count += 1
                conversation.last_message_preview = m.content
                conversation.last_message_at = m.sent_at
                session.flush()


def copy_only(sessions, messages: list[PlatformMessage]) -> None:
    with unit_of_work(sessions) as session:
        session.execute(text(_STAGING))
        raw = session.connection().connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY ingest_batch ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(_TYPES)
            for m in messages:
                copy.write_row(
                    (
                        new_id(),
                        new_id(),
                        m.conversation_id,
                        m.contact_id,
                        m.contact_name,
                        None,
                        None,
                        m.message_id,
                        m.direction.value,
                        m.content,
                        "TEXT",
                        None,
                        None,
                        m.sent_at,
                        m.content,
                        True,
                        None,
                        False,
                        False,
                    )
                )


def ours(sessions, connection: str, messages: list[PlatformMessage]) -> int:
    with unit_of_work(sessions) as session:
        return ingest_messages(
            session,
            organization_id=ORGANIZATION,
            connection_id=connection,
            platform=Platform.WHATSAPP,
            messages=messages,
        ).inserted


def table_size(engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'messages'")
            ).scalar()
        )


def clock(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    engine = create_database_engine(parse_database_url(args.database_url))
    sessions = session_factory(engine)
    with sessions() as session:
        connection = session.execute(
            text(
                "SELECT id FROM platform_connections WHERE organization_id = :o AND platform = 'WHATSAPP'"
            ),
            {"o": ORGANIZATION},
        ).scalar_one()
    run = f"bench{int(time.time())}"
    messages = batch(run)
    count = len(messages)
    ours(sessions, connection, batch(f"{run}w", 200, 50))  # warm-up: temp table, caches
    first = clock(lambda: ours(sessions, connection, messages))
    again = clock(lambda: ours(sessions, connection, messages))
    naive_messages = batch(f"{run}n", 1_000, 200)
    naive_seconds = clock(lambda: naive(sessions, connection, naive_messages)) * count / 1_000
    copy_seconds = clock(lambda: copy_only(sessions, messages))
    rate = count / first
    print(
        f"{count:,} messages, {len({m.conversation_id for m in messages}):,} conversations, "
        f"into a table of {table_size(engine):,} messages"
    )
    print(f"{'app ingest, first run':34s} {rate:9,.0f} msg/s")
    print(
        f"{'naive per-row ORM (1,000 msgs)':34s} {count / naive_seconds:9,.0f} msg/s   app is {naive_seconds / first:5.1f}x faster"
    )
    print(
        f"{'binary COPY to staging only':34s} {count / copy_seconds:9,.0f} msg/s   app reaches {copy_seconds / first:5.2f} of it"
    )
    print(
        f"{'app ingest, same batch again':34s} {count / again:9,.0f} msg/s   {first / again:5.1f}x faster than the first run"
    )
    with unit_of_work(sessions) as session:  # leave the big shop as it was
        session.execute(
            text("DELETE FROM conversations WHERE external_id LIKE :p"), {"p": f"{run}%"}
        )
    engine.dispose()


if __name__ == "__main__":
    main()
