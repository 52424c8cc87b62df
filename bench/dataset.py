"""A big shop for the benchmarks: 100,000 conversations and 5,000,000 messages,
loaded with COPY (heavy indexes dropped first and rebuilt after, as a bulk load
should).  One conversation has 5,000 messages; the others about 50 each.

    python bench/dataset.py --database-url URL [--size 5M|20M] [--conversations N] [--messages N]

``--size`` names the messages (``20M``: 20,000,000) and, unless given, keeps 50
messages a conversation (``20M``: 400,000 conversations).  Shapes the search
benchmark relies on: every word of WORDS is in about 13 % of messages, "ok" in
30 %, each RARE word in about 1 of 50,000, and each of the five first names of
NAMES in a fifth of the contacts ("Ana 123" also matches one contact by its number).
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

import psycopg

from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.migrate import upgrade_schema

WORDS = [
    "hello",
    "hi",
    "thanks",
    "price",
    "size",
    "colour",
    "delivery",
    "shipping",
    "order",
    "dress",
    "bag",
    "shoes",
    "ring",
    "necklace",
    "blue",
    "green",
    "red",
    "black",
    "white",
    "small",
    "medium",
    "large",
    "available",
    "stock",
    "today",
    "tomorrow",
    "week",
    "payment",
    "card",
    "cash",
    "address",
    "pickup",
    "parcel",
    "tracking",
    "return",
    "exchange",
    "gift",
    "wrap",
    "discount",
    "please",
    "yes",
    "no",
    "maybe",
    "love",
    "perfect",
    "great",
    "quick",
    "question",
    "photo",
    "video",
    "again",
    "soon",
]
RARE = ["zircon", "turquoise", "lapis", "obsidian", "malachite"]  # ~1 in 10,000 messages
COMMON = "ok"  # in 30 % of messages
NAMES = ["Ana", "Kenji", "Olu", "Chloé", "Priya"]
BIG_CONVERSATION = "c" + "0" * 24
ORGANIZATION = "cbenchorganization0000000"


def conninfo(url: str) -> str:
    return (
        parse_database_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def load(url: str, conversations: int, messages: int, seed: int = 1) -> None:
    engine = create_database_engine(parse_database_url(url))
    upgrade_schema(engine)
    engine.dispose()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with psycopg.connect(conninfo(url), autocommit=True) as db:
        if db.execute("SELECT count(*) FROM messages").fetchone()[0] >= messages:  # type: ignore[index]
            print("dataset already loaded")
            return
        db.execute("TRUNCATE users, organizations CASCADE")
        db.execute(
            "INSERT INTO users (id, email, name) VALUES ('cbenchowner00000000000000', 'owner@bench', 'Owner')"
        )
        db.execute(
            "INSERT INTO organizations (id, name, slug, owner_id, plan) VALUES (%s, 'Bench', 'bench', "
            "'cbenchowner00000000000000', 'BUSINESS')",
            (ORGANIZATION,),
        )
        db.execute(
            "INSERT INTO organization_members (id, organization_id, user_id, role) VALUES "
            "('cbenchmember0000000000000', %s, 'cbenchowner00000000000000', 'OWNER')",
            (ORGANIZATION,),
        )
        platforms = ["WHATSAPP", "FACEBOOK", "TIKTOK"]
        for p in platforms:
            db.execute(
                "INSERT INTO platform_connections (id, organization_id, platform, platform_user_id, "
                "access_token) VALUES (%s, %s, %s, %s, 'k1:sealed')",
                (f"cbenchconn{p.lower():<15}".replace(" ", "0")[:25], ORGANIZATION, p, p),
            )
        heavy = db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('messages', 'conversations') "
            "AND indexname NOT LIKE '%pkey' AND indexdef NOT LIKE '%UNIQUE%'"
        ).fetchall()
        for name, _ in heavy:
            db.execute(f'DROP INDEX "{name}"')
        started = time.perf_counter()
        with db.cursor().copy(
            "COPY conversations (id, organization_id, platform_connection_id, platform, external_id, "
            "contact_external_id, contact_name, last_message_preview, last_message_at, unread_count, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(conversations):
                p = platforms[n % 3]
                at = now - timedelta(minutes=n * 3 + rng.random())
                copy.write_row(
                    (
                        "c" + str(n).rjust(24, "0"),
                        ORGANIZATION,
                        f"cbenchconn{p.lower():<15}".replace(" ", "0")[:25],
                        p,
                        f"ext-{n}",
                        f"contact-{n}",
                        f"{rng.choice(NAMES)} {n}",
                        "last message",
                        at,
                        rng.choice([0, 0, 0, 1, 2]),
                        at - timedelta(days=30),
                        at,
                    )
                )
        print(f"conversations: {conversations:,} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        # Row by row, the messages' triggers would queue a webhook check for every
        # customer message and hold all 5M rows for the analytics note at the end:
        # a bulk load skips them (replica role, as a restore does) and writes the
        # one note per conversation the trigger would have written, afterwards.
        db.execute("SET session_replication_role = replica")
        per_conversation = max(1, (messages - 5000) // max(1, conversations - 1))
        extra = messages - 5000 - per_conversation * (conversations - 1)
        with db.cursor().copy(
            "COPY messages (id, organization_id, conversation_id, external_id, direction, content, "
            "status, platform_timestamp, created_at, updated_at) FROM STDIN"
        ) as copy:
            written = 0
            for n in range(conversations):
                count = 5000 if n == 0 else per_conversation + (1 if n <= extra else 0)
                conversation = "c" + str(n).rjust(24, "0")
                last = now - timedelta(minutes=n * 3)
                for k in range(count):
                    if written >= messages:
                        break
                    words = rng.choices(WORDS, k=rng.randint(3, 12))
                    if rng.random() < 0.0001:
                        words.append(rng.choice(RARE))
                    if rng.random() < 0.3:
                        words.append(COMMON)
                    at = last - timedelta(minutes=k * 7)
                    copy.write_row(
                        (
                            "m" + str(written).rjust(24, "0"),
                            ORGANIZATION,
                            conversation,
                            f"x{written}",
                            "INBOUND" if k % 2 else "OUTBOUND",
                            " ".join(words),
                            "DELIVERED",
                            at,
                            at,
                            at,
                        )
                    )
                    written += 1
        db.execute("RESET session_replication_role")
        db.execute(
            "INSERT INTO analytics_pending (organization_id, conversation_id, first_at, last_at) "
            "SELECT organization_id, conversation_id, min(COALESCE(platform_timestamp, created_at)), "
            "max(COALESCE(platform_timestamp, created_at)) FROM messages "
            "GROUP BY organization_id, conversation_id"
        )
        print(f"messages: {written:,} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for _, definition in heavy:
            db.execute(definition)
        db.execute("VACUUM ANALYZE conversations")
        db.execute("VACUUM ANALYZE messages")
        print(f"indexes rebuilt and analysed in {time.perf_counter() - started:.1f} s")


def size(text: str) -> int:
    """``5M``, ``20M``, ``500k`` or a plain number of messages."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    try:
        return int(float(text[:-1] if scale > 1 else text) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 5M or 20M") from None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--size", type=size, help="messages, e.g. 5M or 20M (default 5M)")
    parser.add_argument("--conversations", type=int)
    parser.add_argument("--messages", type=int)
    args = parser.parse_args()
    messages = args.messages or args.size or 5_000_000
    conversations = args.conversations or max(2, messages // 50)
    started = time.perf_counter()
    load(args.database_url, conversations, messages)
    print(f"loaded in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
