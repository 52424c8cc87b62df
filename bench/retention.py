"""The FREE plan's history purge of 1,000,000 old messages, beside the big shop's
5,000,000, while an app keeps storing new messages into the same conversations:
the purge's time, its longest batch (the longest it holds any lock), and how
long the concurrent writer waited, beside the writer's waits with no purge.

Works on a COPY of the bench database (it adds a FREE shop and deletes from it):

    python -m bench.retention --database-url URL   (e.g. …/bench_analytics)
"""

import argparse
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from snorq_desktop.domain.enums import MessageDirection, Platform
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.store import retention
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync import maintenance

FREE = "cbenchfreeshop00000000000"
CONNECTION = "cbenchfreeconnection00000"
CONVERSATIONS = 20_000


def load(engine, old: int) -> None:
    with engine.begin() as db:
        if db.execute(
            text("SELECT count(*) FROM organizations WHERE id = :id"), {"id": FREE}
        ).scalar():
            db.execute(text("DELETE FROM organizations WHERE id = :id"), {"id": FREE})
        db.execute(
            text(
                "INSERT INTO users (id, email) VALUES ('cbenchfreeowner', 'free@bench') "
                "ON CONFLICT DO NOTHING"
            )
        )
        db.execute(
            text(
                "INSERT INTO organizations (id, name, slug, owner_id, plan) "
                "VALUES (:id, 'Free', 'bench-free', 'cbenchfreeowner', 'FREE')"
            ),
            {"id": FREE},
        )
        db.execute(
            text(
                "INSERT INTO platform_connections (id, organization_id, platform, "
                "platform_user_id, access_token) VALUES (:c, :o, 'WHATSAPP', 'free', 'sealed')"
            ),
            {"c": CONNECTION, "o": FREE},
        )
        db.execute(
            text(
                "INSERT INTO conversations (id, organization_id, platform_connection_id, platform, "
                "external_id, contact_external_id, last_message_preview, last_message_at) "
                "SELECT 'cfree' || n, :o, :c, 'WHATSAPP', 'free-' || n, 'free-' || n, "
                "'old words', now() - interval '31 days' FROM generate_series(1, :n) n"
            ),
            {"o": FREE, "c": CONNECTION, "n": CONVERSATIONS},
        )
        started = time.perf_counter()
        db.execute(
            text(
                "INSERT INTO messages (id, organization_id, conversation_id, external_id, "
                "direction, content, platform_timestamp) "
                "SELECT 'mfree' || n, :o, 'cfree' || (n % :convs + 1), 'free-' || n, "
                "CASE WHEN n % 2 = 0 THEN 'INBOUND'::\"MessageDirection\" "
                "ELSE 'OUTBOUND'::\"MessageDirection\" END, "
                "'an old message about the blue dress, number ' || n, "
                "now() - interval '31 days' - n * interval '10 seconds' "
                "FROM generate_series(1, :n) n"
            ),
            {"o": FREE, "convs": CONVERSATIONS, "n": old},
        )
        db.execute(
            text(
                "INSERT INTO webhook_events (id, source, dedupe_key, body, received_at, processed_at) "
                "SELECT 'wfree' || n, 'meta', 'free-' || n, convert_to('{\"entry\": []}', 'UTF8'), "
                "now() - interval '40 days', now() - interval '40 days' "
                "FROM generate_series(1, 10000) n ON CONFLICT DO NOTHING"
            )
        )
        db.execute(text("TRUNCATE analytics_pending"))
        print(f"loaded {old:,} old messages in {time.perf_counter() - started:.1f} s")
    with engine.begin() as db:
        db.execute(text("ANALYZE messages"))


class Writer(threading.Thread):
    """Another app storing a customer's message every 20 ms, in the conversations
    being purged, through the real ingest path; keeps each transaction's time."""

    def __init__(self, sessions) -> None:
        super().__init__(daemon=True)
        self.sessions = sessions
        self.waits: list[float] = []
        self.stop = threading.Event()
        self.n = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.n += 1
            message = PlatformMessage(
                platform=Platform.WHATSAPP,
                account_id="free",
                conversation_id=f"free-{self.n % CONVERSATIONS + 1}",
                contact_id=f"free-{self.n % CONVERSATIONS + 1}",
                message_id=f"live-{time.time_ns()}",
                direction=MessageDirection.INBOUND,
                sent_at=datetime.now(UTC),
                content="is it still available?",
            )
            started = time.perf_counter()
            with unit_of_work(self.sessions) as session:
                ingest_messages(
                    session,
                    organization_id=FREE,
                    connection_id=CONNECTION,
                    platform=Platform.WHATSAPP,
                    messages=[message],
                )
            self.waits.append(time.perf_counter() - started)
            time.sleep(0.02)


def summary(waits: list[float]) -> str:
    ordered = sorted(waits)
    p99 = ordered[int(len(ordered) * 0.99) - 1] if len(ordered) > 100 else ordered[-1]
    return (
        f"n={len(waits)} median {statistics.median(waits) * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--old", type=int, default=1_000_000)
    args = parser.parse_args()
    engine = create_database_engine(parse_database_url(args.database_url))
    sessions = session_factory(engine)
    load(engine, args.old)

    writer = Writer(sessions)
    writer.start()
    time.sleep(5)
    baseline = list(writer.waits)
    writer.waits.clear()

    batches: list[float] = []
    original = retention.purge_batch

    def timed_batch(*a, **k):
        started = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            batches.append(time.perf_counter() - started)

    retention.purge_batch = timed_batch
    started = time.perf_counter()
    report = maintenance.purge_history(engine, sessions, warning_period=timedelta(0))
    seconds = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    during = writer.waits
    retention.purge_batch = original

    print(
        f"purge: {report.messages:,} messages and {report.webhook_events:,} webhook bodies in "
        f"{seconds:.1f} s ({report.messages / seconds:,.0f} messages/s), "
        f"{len(batches)} batches of {maintenance.PURGE_BATCH:,}"
    )
    print(
        f"longest batch (the longest any purge lock is held): {max(batches) * 1000:.0f} ms; "
        f"median {statistics.median(batches) * 1000:.0f} ms; "
        f"ratio to the whole purge as one DELETE (≈ its locks held {seconds:.1f} s): "
        f"{max(batches) / seconds:.4f}"
    )
    print(f"concurrent writer, no purge:     {summary(baseline)}")
    print(f"concurrent writer, during purge: {summary(during)}")
    print(f"ratio of worst waits (during / none): {max(during) / max(baseline):.1f}")
    with engine.begin() as db:
        left = db.execute(
            text(
                "SELECT count(*) FROM messages WHERE organization_id = :o "
                "AND COALESCE(platform_timestamp, created_at) < now() - interval '30 days'"
            ),
            {"o": FREE},
        ).scalar_one()
    print(f"old messages left: {left}")
    engine.dispose()


if __name__ == "__main__":
    main()
