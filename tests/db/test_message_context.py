"""A conversation as people see it: reactions kept on their message (never a row,
never unread, never reordering the inbox), replies keeping what they answer,
edits and deletes changing the original, echoes stored once, one person one
conversation, names never lost, and the platform's reason for a failure."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import MessageDirection, MessageStatus, PlanType, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MessageDeletion,
    MessageEdit,
    PlatformMessage,
    Reaction,
)
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store import thread as thread_store
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.ingest import apply_delivery_updates, ingest_messages
from snorq_desktop.store.message_changes import apply_message_changes

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def make_shop(session, plan=PlanType.PRO, slug="s"):
    owner = orgs.create_user(session, email=f"{slug}@example.com")
    org = orgs.create_organization(session, owner_id=owner, name="S", slug=slug, plan=plan)
    connection = connect_platform(
        session,
        TokenCipher(KeySet.fresh()),
        organization_id=org,
        account=PlatformAccount(
            platform=Platform.WHATSAPP,
            platform_user_id=f"1055-{slug}",  # one account belongs to one shop
            access_token=SecretToken("t"),
        ),
    )
    return org, connection


@pytest.fixture
def shop(session):
    return make_shop(session)


def msg(n: int, contact: str = "351912000111", **extra) -> PlatformMessage:
    base = PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id="1055",
        conversation_id=contact,
        contact_id=contact,
        message_id=f"wamid.{n}",
        direction=MessageDirection.INBOUND,
        sent_at=T0 + timedelta(minutes=n),
        content=f"message {n}",
        contact_name="Rita",
    )
    return replace(base, **extra)


def ingest(session, shop, messages):
    org, connection = shop
    return ingest_messages(
        session,
        organization_id=org,
        connection_id=connection,
        platform=Platform.WHATSAPP,
        messages=messages,
    )


def change(session, shop, *changes):
    return apply_message_changes(
        session, organization_id=shop[0], connection_id=shop[1], changes=list(changes)
    )


def conversation(session):
    return session.execute(
        text(
            "SELECT unread_count, last_message_preview, last_message_at, contact_name "
            "FROM conversations"
        )
    ).one()


def thread(session, shop):
    [conversation_id] = session.execute(text("SELECT id FROM conversations")).scalars()
    return thread_store.thread_page(session, shop[0], conversation_id)


def test_a_reaction_is_kept_on_its_message_and_moves_nothing_else(session, shop):
    ingest(session, shop, [msg(1), msg(2, direction=MessageDirection.OUTBOUND)])
    before = conversation(session)
    react = Reaction(
        platform=Platform.WHATSAPP,
        account_id="1055",
        conversation_id="351912000111",
        message_id="wamid.2",
        emoji="😮",
        by_business=False,
        at=T0 + timedelta(hours=1),
    )
    changed = change(session, shop, react)
    assert changed.messages and not changed.conversations
    assert conversation(session) == before  # same unread count, preview and order
    assert session.execute(text("SELECT count(*) FROM messages")).scalar() == 2
    assert [m.reactions for m in thread(session, shop)] == [(), ("😮",)]
    change(session, shop, replace(react, emoji=None))
    assert [m.reactions for m in thread(session, shop)] == [(), ()]
    # a reaction to a message that is not stored is dropped, not stored as a message
    assert not change(session, shop, replace(react, message_id="wamid.unknown")).messages


def test_edits_replace_the_text_and_deletes_leave_a_note_neither_adds_a_row(session, shop):
    ingest(session, shop, [msg(1), msg(2)])
    person = "351912000111"
    edit = MessageEdit(Platform.WHATSAPP, "1055", person, "wamid.1", "fixed", T0)
    change(session, shop, edit)
    change(session, shop, MessageDeletion(Platform.WHATSAPP, "1055", person, "wamid.2", T0))
    first, second = thread(session, shop)
    assert (first.content, first.edited, first.deleted) == ("fixed", True, False)
    assert (second.content, second.deleted, second.shown_text) == (
        None,
        True,
        "This message was deleted",
    )
    assert session.execute(text("SELECT count(*) FROM messages")).scalar() == 2
    assert conversation(session)[1] == "This message was deleted"  # it was the newest


def test_a_reply_keeps_what_it_answers_and_quotes_it_when_stored(session, shop):
    ingest(
        session,
        shop,
        [
            msg(1, content="Do you have it in blue?"),
            msg(2, reply_to="wamid.1", content="and in M?"),
            msg(3, reply_to="wamid.gone", forwarded=True),
        ],
    )
    _, reply, orphan = thread(session, shop)
    assert (reply.reply_to_id, reply.quoted) == ("wamid.1", "Do you have it in blue?")
    assert (orphan.reply_to_id, orphan.quoted, orphan.forwarded) == ("wamid.gone", None, True)


def test_an_echo_of_our_own_send_is_stored_once_and_one_from_elsewhere_is_marked(session, shop):
    ours = msg(1, direction=MessageDirection.OUTBOUND, content="sent by SNORQ")
    ingest(session, shop, [ours])
    ingest(session, shop, [replace(ours, sent_elsewhere=True)])
    ingest(session, shop, [msg(2, direction=MessageDirection.OUTBOUND, sent_elsewhere=True)])
    rows = [(m.content, m.sent_elsewhere) for m in thread(session, shop)]
    assert rows == [("sent by SNORQ", False), ("message 2", True)]
    assert conversation(session)[0] == 0  # ours are never unread


def test_one_person_is_one_conversation_by_phone_or_business_scoped_id(session, shop):
    ingest(session, shop, [msg(1)])  # first seen by phone number
    ingest(
        session,
        shop,
        [msg(2, contact="PT.2200451", contact_aliases=("351912000111",))],
    )
    assert session.execute(text("SELECT count(*) FROM conversations")).scalar() == 1
    other = make_shop(session, slug="t")
    ingest(  # first seen by business-scoped id, the phone kept as username
        session,
        other,
        [msg(1, contact="PT.9", contact_username="351900000009")],
    )
    ingest(session, other, [msg(2, contact="351900000009")])
    rows = session.execute(
        text(
            "SELECT c.external_id, count(m.id) FROM conversations c "
            "JOIN messages m ON m.conversation_id = c.id "
            "WHERE c.organization_id = :org GROUP BY c.external_id"
        ),
        {"org": other[0]},
    ).all()
    assert rows == [("PT.9", 2)]


def test_in_one_batch_the_phone_and_the_business_scoped_id_are_one_person(session, shop):
    ingest(
        session,
        shop,
        [
            msg(1, contact="PT.2200451", contact_aliases=("351912000111",)),
            msg(2, contact_name=None, content="Rita changed her number"),
        ],
    )
    assert session.execute(
        text("SELECT external_id, contact_name, unread_count FROM conversations")
    ).all() == [("PT.2200451", "Rita", 2)]


def test_a_new_conversation_takes_the_name_a_message_of_its_batch_gave(session, shop):
    ingest(session, shop, [msg(1), msg(2, contact_name=None)])
    assert conversation(session)[3] == "Rita"


def test_a_known_name_is_not_replaced_by_nothing_or_a_placeholder(session, shop):
    ingest(session, shop, [msg(1)])
    ingest(session, shop, [msg(2, contact_name="Customer"), msg(3, contact_name=None)])
    ingest(session, shop, [msg(4, contact_name="  ")])
    assert conversation(session)[3] == "Rita"


def test_a_failed_status_keeps_the_platforms_reason(session, shop):
    ingest(session, shop, [msg(1, direction=MessageDirection.OUTBOUND)])
    apply_delivery_updates(
        session,
        organization_id=shop[0],
        connection_id=shop[1],
        updates=[
            DeliveryUpdate(
                platform=Platform.WHATSAPP,
                account_id="1055",
                message_id="wamid.1",
                status=MessageStatus.FAILED,
                at=T0,
                error="Message undeliverable: The number is not on WhatsApp",
            )
        ],
    )
    [message] = thread(session, shop)
    assert (message.status, message.failure_reason) == (
        MessageStatus.FAILED,
        "Message undeliverable: The number is not on WhatsApp",
    )


def test_free_plan_does_not_open_conversations_for_messages_it_will_not_keep(session):
    free = make_shop(session, plan=PlanType.FREE, slug="free")
    old = datetime.now(UTC) - timedelta(days=45)
    ingest(session, free, [msg(1, contact="old", sent_at=old), msg(2, contact="old", sent_at=old)])
    assert session.execute(text("SELECT count(*) FROM conversations")).scalar() == 0
    recent = datetime.now(UTC) - timedelta(days=1)
    ingest(
        session,
        free,
        [msg(3, contact="mixed", sent_at=old), msg(4, contact="mixed", sent_at=recent)],
    )
    assert session.execute(
        text("SELECT unread_count, last_message_preview FROM conversations")
    ).all() == [(1, "message 4")]
