"""The reply-window clocks in the team database (#17.5): ingest keeps the
customer's last message on the conversation, "Closing soon" finds the windows
that close within the hour by that column alone, and a thread's clock counts
TikTok's replies."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import MessageDirection, PlanType, Platform
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.domain.reply_window import WindowState
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import inbox, reply_windows
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.models import Conversation
from tests.history import History
from tests.shop import account, open_shop

H = timedelta(hours=1)


def wa(n: int, at: datetime, direction: MessageDirection) -> PlatformMessage:
    return PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id="1055",
        conversation_id="wa-1",
        contact_id="wa-1",
        message_id=f"wamid.{n}",
        direction=direction,
        sent_at=at,
        content=f"message {n}",
        contact_name="Ana",
    )


def test_ingest_keeps_the_customers_last_message_and_never_moves_it_back(session):
    ids = open_shop(
        session,
        TokenCipher(KeySet.fresh()),
        [account(Platform.WHATSAPP, "1055")],
        plan=PlanType.PRO,
    )
    org, connection = ids.organization_id, ids.connections[Platform.WHATSAPP]
    t0 = datetime.now(UTC) - 3 * H

    def ingest(*messages: PlatformMessage) -> datetime | None:
        ingest_messages(
            session,
            organization_id=org,
            connection_id=connection,
            platform=Platform.WHATSAPP,
            messages=messages,
        )
        return session.execute(
            text("SELECT last_inbound_at FROM conversations WHERE organization_id = :org"),
            {"org": org},
        ).scalar_one()

    # A new conversation (the upsert's INSERT), then an existing one (the UPDATE).
    assert (
        ingest(wa(1, t0, MessageDirection.INBOUND), wa(2, t0 + H, MessageDirection.OUTBOUND)) == t0
    )
    assert ingest(wa(3, t0 + 2 * H, MessageDirection.OUTBOUND)) == t0  # ours: no move
    assert ingest(wa(4, t0 + 2 * H, MessageDirection.INBOUND)) == t0 + 2 * H
    assert ingest(wa(5, t0 + H / 2, MessageDirection.INBOUND)) == t0 + 2 * H  # a late older one


def _said(shop: History, platform: Platform, ago: timedelta, *, status: str = "OPEN") -> str:
    conversation = shop.conversation(platform=platform)
    shop.sql(
        "UPDATE conversations SET last_inbound_at = now() - CAST(:ago AS interval), "
        'status = CAST(:status AS "ConversationStatus") WHERE id = :id',
        ago=f"{int(ago.total_seconds())} seconds",
        status=status,
        id=conversation,
    )
    return conversation


def test_closing_soon_is_every_window_closing_within_the_hour_of_this_shop_only(engine):
    shop, other = History.shop(engine), History.shop(engine, slug="other")
    minute = timedelta(minutes=1)
    soon = {
        _said(shop, Platform.WHATSAPP, 23 * H + 30 * minute),
        _said(shop, Platform.WHATSAPP, 23 * H + minute),
        _said(shop, Platform.TIKTOK, 47 * H + 30 * minute),
        _said(shop, Platform.FACEBOOK, 7 * 24 * H - 30 * minute),  # the human-agent week
    }
    _said(shop, Platform.WHATSAPP, 22 * H)  # more than an hour left
    _said(shop, Platform.WHATSAPP, 24 * H + minute)  # closed already
    _said(shop, Platform.TIKTOK, 23 * H + 30 * minute)  # TikTok's is 48 h
    _said(shop, Platform.FACEBOOK, 23 * H + 30 * minute)  # Messenger goes on with the tag
    _said(shop, Platform.WHATSAPP, 23 * H + 30 * minute, status="ARCHIVED")
    shop.conversation()  # the customer never wrote
    _said(other, Platform.WHATSAPP, 23 * H + 30 * minute)
    with Session(engine) as session:
        page = inbox.inbox_page(session, shop.organization_id, InboxQuery(InboxView.CLOSING_SOON))
        assert {row.id for row in page} == soon
        assert reply_windows.closing_soon_count(session, shop.organization_id) == 4
        assert (
            inbox.matches(
                session, shop.organization_id, InboxQuery(InboxView.CLOSING_SOON), sorted(soon)
            )
            == soon
        )
        # The row carries the time its warning is counted from.
        assert all(row.last_inbound_at is not None for row in page)


def test_closing_soon_reads_a_range_of_its_index(engine):
    shop = History.shop(engine)
    for n in range(300):
        _said(shop, [*Platform][n % 3], n * H / 7)
    with engine.connect() as connection:
        connection.execute(text("ANALYZE conversations"))
        with Session(bind=connection) as session:
            statement = select(Conversation.id).where(
                Conversation.organization_id == shop.organization_id,
                reply_windows.closing_soon(),
            )
            compiled = statement.compile(
                dialect=connection.dialect, compile_kwargs={"literal_binds": True}
            )
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))
    assert "conversations_last_inbound_idx" in plan


def test_a_tiktok_threads_clock_counts_our_replies_since_the_customer_wrote(engine):
    shop = History.shop(engine)
    conversation = shop.conversation(platform=Platform.TIKTOK)
    said = datetime.now(UTC) - 2 * H
    shop.message(conversation, "OUTBOUND", said - H)  # before: not counted
    shop.message(conversation, "INBOUND", said)
    shop.sql(
        "UPDATE conversations SET last_inbound_at = :at WHERE id = :id", at=said, id=conversation
    )
    for n in range(9):
        shop.message(conversation, "OUTBOUND", said + (n + 1) * timedelta(minutes=1))
    shop.message(conversation, "OUTBOUND", said + H, status="FAILED")  # never reached them
    with Session(engine) as session:
        clock = reply_windows.reply_clock(session, shop.organization_id, conversation)
        assert clock is not None
        assert (clock.last_inbound_at, clock.replies_since) == (said, 9)
        assert clock.at(said + H).replies_left == 1
        shop.message(conversation, "OUTBOUND", said + H)
        clock = reply_windows.reply_clock(session, shop.organization_id, conversation)
        assert clock is not None
        assert clock.at(said + H).state is WindowState.CLOSED
        assert reply_windows.reply_clock(session, "someone-else", conversation) is None


@pytest.mark.parametrize("platform", [Platform.WHATSAPP, Platform.FACEBOOK])
def test_a_thread_header_carries_its_clock(engine, platform):
    from snorq_desktop.store.thread import thread_header

    shop = History.shop(engine)
    conversation = _said(shop, platform, 2 * H)
    with Session(engine) as session:
        header = thread_header(session, shop.organization_id, conversation)
        assert header is not None
        assert header.reply_clock is not None
        assert header.reply_clock.platform is platform
        assert header.reply_clock.at(datetime.now(UTC)).state is WindowState.OPEN
