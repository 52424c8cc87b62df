"""Batch ingest: every platform message stored once, conversations moved by what
was really new, statuses only forward."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.domain.delivery import STATUS_RANK, moves_forward
from snorq_desktop.domain.enums import (
    ContentType,
    MessageDirection,
    MessageStatus,
    PlanType,
    Platform,
)
from snorq_desktop.domain.platform_events import DeliveryUpdate, PlatformMessage
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store.ingest import apply_delivery_updates, ingest_messages
from tests.shop import account, open_shop

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def shop(session):
    # PRO: these batches are dated T0, and a FREE shop stores nothing older than 30 days.
    ids = open_shop(
        session,
        TokenCipher(KeySet.fresh()),
        [account(Platform.WHATSAPP, "1055")],
        plan=PlanType.PRO,
    )
    return ids.organization_id, ids.connections[Platform.WHATSAPP]


def msg(
    n: int,
    contact: str = "wa-1",
    *,
    minutes: int | None = None,
    direction: MessageDirection = MessageDirection.INBOUND,
    name: str | None = "Ana",
    content_type: ContentType = ContentType.TEXT,
) -> PlatformMessage:
    return PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id="1055",
        conversation_id=contact,
        contact_id=contact,
        message_id=f"wamid.{n}",
        direction=direction,
        sent_at=T0 + timedelta(minutes=n if minutes is None else minutes),
        content=f"message {n}",
        content_type=content_type,
        contact_name=name,
    )


def ingest(session, shop, messages):
    org, connection = shop
    return ingest_messages(
        session,
        organization_id=org,
        connection_id=connection,
        platform=Platform.WHATSAPP,
        messages=messages,
    )


def conversations(session):
    return session.execute(
        text(
            "SELECT external_id, contact_name, unread_count, last_message_preview, last_message_at "
            "FROM conversations ORDER BY external_id"
        )
    ).all()


def test_a_batch_makes_conversations_and_counts_unread(session, shop):
    result = ingest(
        session,
        shop,
        [
            msg(1),
            msg(2),
            msg(3, "wa-2", name="Bo"),
            msg(4, direction=MessageDirection.OUTBOUND, name=None),
        ],
    )
    assert result.inserted == 4
    assert len(result.changes.conversations) == 2
    rows = conversations(session)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("wa-1", "Ana", 2, "message 4"),
        ("wa-2", "Bo", 1, "message 3"),
    ]
    assert session.execute(
        text("SELECT last_sync_at IS NOT NULL FROM platform_connections")
    ).scalar()


def test_the_same_batch_again_stores_nothing_and_changes_nothing(session, shop):
    batch = [msg(n) for n in range(1, 6)]
    ingest(session, shop, batch)
    before = conversations(session)
    again = ingest(session, shop, batch)
    assert again.inserted == 0
    assert not again.changes.conversations
    assert conversations(session) == before
    assert session.execute(text("SELECT count(*) FROM messages")).scalar() == 5


def test_an_overlapping_batch_adds_only_what_is_new(session, shop):
    ingest(session, shop, [msg(1), msg(2)])
    result = ingest(session, shop, [msg(2), msg(3)])
    assert result.inserted == 1
    assert conversations(session)[0][2] == 3


def test_a_late_message_counts_but_keeps_the_newer_preview(session, shop):
    ingest(session, shop, [msg(5)])
    ingest(session, shop, [msg(1)])
    row = conversations(session)[0]
    assert (row[2], row[3], row[4]) == (2, "message 5", T0 + timedelta(minutes=5))


def test_media_gets_a_readable_preview_and_a_missing_name_keeps_the_known_one(session, shop):
    ingest(session, shop, [msg(1)])
    ingest(session, shop, [msg(2, name=None, content_type=ContentType.IMAGE)])
    row = conversations(session)[0]
    assert row[1] == "Ana"
    assert row[3] == "📷 Photo: message 2"


def test_statuses_only_move_forward_whatever_order_they_come_in(session, shop):
    ours = [msg(n, direction=MessageDirection.OUTBOUND) for n in range(1, 4)]
    ingest(session, shop, ours)  # stored as SENT

    def update(n, status):
        return DeliveryUpdate(
            platform=Platform.WHATSAPP,
            account_id="1055",
            message_id=f"wamid.{n}",
            status=status,
            at=T0,
        )

    changes = apply_delivery_updates(
        session,
        organization_id=shop[0],
        connection_id=shop[1],
        updates=[
            update(1, MessageStatus.READ),
            update(1, MessageStatus.DELIVERED),  # out of order
            update(2, MessageStatus.DELIVERED),
            update(2, MessageStatus.DELIVERED),  # twice
            update(3, MessageStatus.FAILED),
        ],
    )
    assert changes.messages
    apply_delivery_updates(
        session,
        organization_id=shop[0],
        connection_id=shop[1],
        updates=[
            update(1, MessageStatus.DELIVERED),
            update(3, MessageStatus.READ),
            update(2, MessageStatus.FAILED),
        ],
    )
    statuses = dict(session.execute(text("SELECT external_id, status::text FROM messages")).all())
    assert statuses == {"wamid.1": "READ", "wamid.2": "DELIVERED", "wamid.3": "FAILED"}


def test_the_sql_rank_and_the_domain_rule_agree():
    for old, new in itertools.product(MessageStatus, repeat=2):
        by_rank = old is not MessageStatus.FAILED and STATUS_RANK[new] > STATUS_RANK[old]
        assert by_rank == moves_forward(old, new), (old, new)


def test_two_batches_in_one_transaction_do_not_mix(session, shop):
    ingest(session, shop, [msg(1)])
    second = ingest(session, shop, [msg(2, "wa-2", name="Bo")])
    assert second.inserted == 1
    assert [r[0] for r in conversations(session)] == ["wa-1", "wa-2"]


def test_a_new_conversation_is_stored_complete_and_a_duplicate_in_the_batch_counts_once(
    session, shop
):
    """New conversations get preview, time and unread count in their INSERT; the
    same message twice in one batch (a redelivered webhook) is one message."""
    ingest(session, shop, [msg(1)])  # wa-1 exists before the batch
    result = ingest(
        session,
        shop,
        [
            msg(2),  # existing conversation
            msg(3, "wa-9", name="Cy"),
            msg(3, "wa-9", name="Cy"),  # the same platform message again
            msg(4, "wa-9", name="Cy", direction=MessageDirection.OUTBOUND),
            msg(5, "wa-8", name="Di", direction=MessageDirection.OUTBOUND),  # ours only
        ],
    )
    assert result.inserted == 4
    assert result.changes.conversations == frozenset(
        session.execute(text("SELECT id FROM conversations")).scalars()
    )
    rows = {r[0]: (r[1], r[2], r[3], r[4]) for r in conversations(session)}
    assert rows == {
        "wa-1": ("Ana", 2, "message 2", T0 + timedelta(minutes=2)),
        "wa-9": ("Cy", 1, "message 4", T0 + timedelta(minutes=4)),
        "wa-8": ("Di", 0, "message 5", T0 + timedelta(minutes=5)),
    }
    # Arrivals (for notifications) name only conversations with inbound messages.
    assert {c for c, _ in result.changes.arrivals} == {
        session.execute(
            text("SELECT id FROM conversations WHERE external_id = :e"), {"e": e}
        ).scalar_one()
        for e in ("wa-1", "wa-9")
    }
