"""The window's queries: keyset paging (ties included), filters, search through
the indexes, counts, and the write actions' rules."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import (
    ConnectionStatus,
    ConversationStatus,
    PlanType,
    Platform,
)
from snorq_desktop.domain.errors import PermissionDenied
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store import inbox, inbox_counts
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.arrivals import Arrival, add_inbound
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.models import Conversation


@pytest.fixture
def org(session):
    owner = orgs.create_user(session, email="o@example.com")
    org_id = orgs.create_organization(
        session, owner_id=owner, name="S", slug="s", plan=PlanType.PRO
    )
    cipher = TokenCipher(KeySet.fresh())
    connection = connect_platform(
        session,
        cipher,
        organization_id=org_id,
        account=PlatformAccount(
            platform=Platform.WHATSAPP, platform_user_id="p", access_token=SecretToken("t")
        ),
    )
    return org_id, owner, connection


def _conversation(session, org, at, name="Ana", unread=0):
    org_id, _, connection = org
    conversation = Conversation(
        organization_id=org_id,
        platform_connection_id=connection,
        platform=Platform.WHATSAPP,
        external_id=new_id(),
        contact_external_id="x",
        contact_name=name,
        last_message_at=at,
        unread_count=unread,
    )
    session.add(conversation)
    session.flush()
    return conversation.id


def test_keyset_paging_walks_ties_without_gaps_or_repeats(session, org):
    same = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    ids = {_conversation(session, org, same) for _ in range(7)}
    ids |= {_conversation(session, org, same - timedelta(minutes=n)) for n in range(1, 4)}
    seen, after = [], None
    while True:
        page = inbox.inbox_page(session, org[0], InboxQuery(), after=after, limit=3)
        if not page:
            break
        seen.extend(page)
        after = page[-1].position
    assert [s.id for s in seen] == [
        s.id for s in sorted(seen, key=lambda s: s.position, reverse=True)
    ]
    assert {s.id for s in seen} == ids and len(seen) == 10


def test_views_filter_and_count(session, org):
    now = datetime.now(UTC)
    open_unread = _conversation(session, org, now, unread=2)
    closed = _conversation(session, org, now - timedelta(hours=1))
    archived = _conversation(session, org, now - timedelta(hours=2), unread=5)
    actions.set_status(session, org[0], closed, ConversationStatus.CLOSED)
    actions.set_status(session, org[0], archived, ConversationStatus.ARCHIVED)

    def view(v):
        return [s.id for s in inbox.inbox_page(session, org[0], InboxQuery(view=v))]

    assert view(InboxView.ALL) == [open_unread, closed]
    assert view(InboxView.UNREAD) == [open_unread]
    assert view(InboxView.CLOSED) == [closed]
    assert view(InboxView.ARCHIVED) == [archived]
    assert view(InboxView.WHATSAPP) == [open_unread, closed]
    assert view(InboxView.TIKTOK) == []
    counts = inbox_counts.view_counts(session, org[0])
    assert counts.counts[InboxView.ALL] == 2 and counts.counts[InboxView.ARCHIVED] == 1
    assert counts.unread_messages == 7  # the badge counts archived unread too
    assert inbox_counts.unread_total(session, org[0]) == 7


def test_search_matches_word_prefixes_in_names_and_messages(session, org):
    now = datetime.now(UTC)
    ana = _conversation(session, org, now, name="Ana Souza")
    bo = _conversation(session, org, now - timedelta(minutes=1), name="Bo")
    add_inbound(session, org[0], Arrival(bo, "m1", "Do you deliver to Lisbon?", sent_at=now))

    def found(words):
        return {s.id for s in inbox.inbox_page(session, org[0], InboxQuery(search=words))}

    assert found("ana") == {ana}
    assert found("sou") == {ana}
    assert found("LISB") == {bo}
    assert found("deliver lisbon") == {bo}
    assert found("deliver ana") == set()
    assert found("'); drop table x; --") == set()
    assert found("") == {ana, bo}


def test_search_and_paging_use_their_indexes(session, org):
    """The app's expressions are the indexed ones, so the planner can use them
    (on a big inbox it does: see bench/inbox.py)."""
    for n in range(30):
        _conversation(session, org, datetime.now(UTC) - timedelta(minutes=n))
    session.execute(text("SET LOCAL enable_seqscan = off"))

    def plan(sql: str) -> str:
        return "\n".join(session.execute(text("EXPLAIN " + sql), {"o": org[0]}).scalars())

    page = plan(
        "SELECT id FROM conversations WHERE organization_id = :o AND status <> 'ARCHIVED' "
        "ORDER BY COALESCE(last_message_at, created_at) DESC, id DESC LIMIT 100"
    )
    assert "conversations_inbox_idx" in page
    for expression, index in (
        (inbox._CONTENT_TSV, "messages_content_search_idx"),
        (inbox._CONTACT_TSV, "conversations_contact_search_idx"),
    ):
        table = index.split("_")[0]
        found = plan(f"SELECT 1 FROM {table} WHERE {expression} @@ to_tsquery('simple', 'ana:*')")
        assert index in found, found


def test_a_reply_is_stored_once_and_refused_on_an_expired_connection(session, org):
    conversation = _conversation(session, org, datetime.now(UTC), unread=3)
    message_id = new_id()
    kwargs = dict(
        organization_id=org[0],
        conversation_id=conversation,
        message_id=message_id,
        sender_id=org[1],
        text="Thanks!",
    )
    assert actions.add_reply(session, **kwargs) is True
    assert actions.add_reply(session, **kwargs) is False
    row = session.execute(
        text("SELECT unread_count, last_message_preview FROM conversations WHERE id = :i"),
        {"i": conversation},
    ).one()
    assert tuple(row) == (0, "Thanks!")
    session.execute(
        text("UPDATE platform_connections SET status = :s"), {"s": ConnectionStatus.EXPIRED.value}
    )
    with pytest.raises(PermissionDenied, match="expired"):
        actions.add_reply(session, **{**kwargs, "message_id": new_id()})


def test_a_late_message_counts_but_does_not_rewind_the_preview(session, org):
    now = datetime.now(UTC)
    conversation = _conversation(session, org, now)
    add_inbound(session, org[0], Arrival(conversation, "new", "newest", sent_at=now))
    add_inbound(
        session, org[0], Arrival(conversation, "old", "older", sent_at=now - timedelta(hours=1))
    )
    assert not add_inbound(
        session, org[0], Arrival(conversation, "old", "older again", sent_at=now)
    )
    row = session.execute(
        text(
            "SELECT unread_count, last_message_preview, last_message_at "
            "FROM conversations WHERE id = :i"
        ),
        {"i": conversation},
    ).one()
    assert (row[0], row[1], row[2]) == (2, "newest", now)
