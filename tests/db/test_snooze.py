"""Snooze (#17.3) and the split of the views (#17.7) on real PostgreSQL: hidden
until the time the database's clock says, woken once (unread) by whichever app
sees it due, at once by the customer's message; who spoke last kept by the
statements that move a conversation."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import ConversationStatus, MessageDirection, PlanType, Platform
from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.domain.view_split import InboxSplit
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store import inbox, inbox_counts, labels, snooze
from snorq_desktop.store.ingest import ingest_messages
from tests.shop import account, open_shop

NOW = datetime.now(UTC)


@pytest.fixture
def shop(session):
    ids = open_shop(
        session,
        TokenCipher(KeySet.fresh()),
        [account(Platform.WHATSAPP, "1055")],
        plan=PlanType.PRO,
    )
    return ids.organization_id, ids.connections[Platform.WHATSAPP], ids.owner_id


def _message(n, contact, direction=MessageDirection.INBOUND, minutes_ago=0):
    return PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id="1055",
        conversation_id=contact,
        contact_id=contact,
        message_id=f"wamid.{contact}.{n}",
        direction=direction,
        sent_at=NOW - timedelta(minutes=minutes_ago),
        content=f"message {n}",
        contact_name=contact,
    )


def _ingest(session, shop, *messages):
    org, connection, _ = shop
    return ingest_messages(
        session,
        organization_id=org,
        connection_id=connection,
        platform=Platform.WHATSAPP,
        messages=list(messages),
    )


def _id_of(session, contact):
    return session.execute(
        text("SELECT id FROM conversations WHERE external_id = :c"), {"c": contact}
    ).scalar_one()


def _ids(session, org, **query):
    return [s.id for s in inbox.inbox_page(session, org, InboxQuery(**query))]


def _set_time(session, conversation_id, until):
    session.execute(
        text("UPDATE conversations SET snoozed_until = :t WHERE id = :id"),
        {"t": until, "id": conversation_id},
    )


def test_a_snoozed_conversation_leaves_every_view_for_snoozed_with_its_count(session, shop):
    org = shop[0]
    _ingest(session, shop, _message(1, "ana", minutes_ago=5), _message(1, "bo", minutes_ago=9))
    ana, bo = _id_of(session, "ana"), _id_of(session, "bo")
    before = inbox_counts.view_counts(session, org).counts
    assert before[InboxView.ALL] == 2 and before[InboxView.UNREAD] == 2
    until = NOW + timedelta(hours=3)
    snooze.snooze(session, org, [ana], until)

    assert _ids(session, org) == [bo]
    for view in (InboxView.UNREAD, InboxView.WHATSAPP, InboxView.OPEN):
        assert _ids(session, org, view=view) == [bo]
    shown = inbox.inbox_page(session, org, InboxQuery(view=InboxView.SNOOZED))
    assert [s.id for s in shown] == [ana] and shown[0].snoozed_until == until
    assert inbox.matches(session, org, InboxQuery(), [ana, bo]) == {bo}
    counts = inbox_counts.view_counts(session, org)
    assert counts.counts[InboxView.SNOOZED] == 1
    assert counts.counts[InboxView.ALL] == 1 and counts.counts[InboxView.UNREAD] == 1
    assert counts.counts[InboxView.WHATSAPP] == 1 and counts.counts[InboxView.OPEN] == 1
    assert counts.next_wake == until

    snooze.snooze(session, org, [ana], None)  # unsnoozed: back as it was
    assert _ids(session, org) == [ana, bo]
    assert inbox_counts.view_counts(session, org).counts == before | {InboxView.SNOOZED: 0}


def test_a_search_finds_a_snoozed_conversation_too(session, shop):
    """Looking a customer up by name or words finds them snoozed or not (the row
    says until when); only the views without words leave the snoozed out."""
    org = shop[0]
    _ingest(session, shop, _message(1, "ana", minutes_ago=5), _message(1, "bo", minutes_ago=9))
    ana = _id_of(session, "ana")
    snooze.snooze(session, org, [ana], NOW + timedelta(days=2))

    assert _ids(session, org, search="ana") == [ana]  # the contact's name
    assert ana in _ids(session, org, search="message")  # the words of its messages
    assert _ids(session, org, view=InboxView.SNOOZED, search="ana") == [ana]
    assert inbox.matches(session, org, InboxQuery(search="ana"), [ana]) == {ana}
    assert ana not in _ids(session, org)


def test_at_its_time_it_shows_again_and_the_first_app_to_see_it_wakes_it_unread(session, shop):
    org = shop[0]
    _ingest(session, shop, _message(1, "ana"))
    ana = _id_of(session, "ana")
    actions.mark_read(session, org, ana)
    _set_time(session, ana, NOW - timedelta(seconds=1))  # its time came while no app ran

    # The views compare with the database's clock: shown before anyone wakes it.
    assert _ids(session, org) == [ana]
    assert _ids(session, org, view=InboxView.SNOOZED) == []
    assert inbox_counts.view_counts(session, org).next_wake is not None  # due: wake it
    assert snooze.wake_due(session, org) == {ana}
    assert snooze.wake_due(session, org) == frozenset()  # the second app: nothing left
    row = session.execute(
        text("SELECT unread_count, snoozed_until FROM conversations WHERE id = :id"), {"id": ana}
    ).one()
    assert row == (1, None)
    counts = inbox_counts.view_counts(session, org)
    assert counts.counts[InboxView.UNREAD] == 1 and counts.next_wake is None


def test_waking_touches_only_the_due_of_its_own_organisation(session, shop):
    org = shop[0]
    _ingest(session, shop, _message(1, "ana"), _message(1, "bo"))
    ana, bo = _id_of(session, "ana"), _id_of(session, "bo")
    other = open_shop(
        session,
        TokenCipher(KeySet.fresh()),
        [account(Platform.WHATSAPP, "2066")],
        email="o@example.com",
        slug="other",
    )
    _set_time(session, ana, NOW - timedelta(minutes=1))
    _set_time(session, bo, NOW + timedelta(days=1))
    assert snooze.wake_due(session, other.organization_id) == frozenset()
    assert snooze.wake_due(session, org) == {ana}
    assert _ids(session, org, view=InboxView.SNOOZED) == [bo]
    with pytest.raises(NotFound):
        snooze.snooze(session, other.organization_id, [bo], None)


def test_the_customer_writing_wakes_it_at_once_our_own_echo_does_not(session, shop):
    org = shop[0]
    _ingest(session, shop, _message(1, "ana", minutes_ago=10))
    ana = _id_of(session, "ana")
    until = NOW + timedelta(days=2)
    snooze.snooze(session, org, [ana], until)
    _ingest(session, shop, _message(2, "ana", MessageDirection.OUTBOUND, minutes_ago=5))
    assert _ids(session, org, view=InboxView.SNOOZED) == [ana]  # our echo: still asleep
    changes = _ingest(session, shop, _message(3, "ana", minutes_ago=1)).changes
    assert ana in changes.conversations
    assert _ids(session, org) == [ana] and _ids(session, org, view=InboxView.SNOOZED) == []
    unread = session.execute(
        text("SELECT unread_count FROM conversations WHERE id = :id"), {"id": ana}
    ).scalar_one()
    assert unread == 2


def test_the_split_follows_who_spoke_last_through_ingest_and_replies(session, shop):
    org, _, owner = shop
    _ingest(
        session,
        shop,
        _message(1, "ana", minutes_ago=30),  # ana wrote: waiting for us
        _message(1, "bo", minutes_ago=40),
        _message(2, "bo", MessageDirection.OUTBOUND, minutes_ago=35),  # we answered bo
    )
    ana, bo = _id_of(session, "ana"), _id_of(session, "bo")
    actions.mark_read(session, org, bo)
    # An older message arriving late does not change who spoke last.
    _ingest(session, shop, _message(0, "bo", minutes_ago=50))

    def split(which, view=InboxView.ALL):
        return _ids(session, org, view=view, split=which)

    assert split(InboxSplit.ALL) == [ana, bo]
    assert split(InboxSplit.WAITING_FOR_US) == [ana]
    assert split(InboxSplit.WAITING_FOR_THEM) == [bo]
    assert split(InboxSplit.UNREAD) == [ana, bo]  # the late message is unread
    actions.mark_read(session, org, bo)
    assert split(InboxSplit.UNREAD) == [ana]
    assert split(InboxSplit.WAITING_FOR_US, InboxView.CLOSED) == []

    actions.add_reply(
        session,
        organization_id=org,
        conversation_id=ana,
        message_id=new_id(),
        sender_id=owner,
        text="On its way!",
    )
    assert split(InboxSplit.WAITING_FOR_US) == []
    assert split(InboxSplit.WAITING_FOR_THEM) == [ana, bo]
    _ingest(session, shop, _message(3, "bo", minutes_ago=0))
    assert split(InboxSplit.WAITING_FOR_US) == [bo]
    assert inbox.matches(
        session, org, InboxQuery(split=InboxSplit.WAITING_FOR_THEM), [ana, bo]
    ) == {ana}


def test_the_split_pages_by_keyset_without_gaps(session, shop):
    org = shop[0]
    messages = [
        _message(n, f"c{n:02}", MessageDirection.INBOUND if n % 3 else MessageDirection.OUTBOUND, n)
        for n in range(1, 20)
    ]
    _ingest(session, shop, *messages)
    seen, after = [], None
    query = InboxQuery(split=InboxSplit.WAITING_FOR_US)
    while page := inbox.inbox_page(session, org, query, after=after, limit=4):
        seen += [s.contact_name for s in page]
        after = page[-1].position
    assert seen == [f"c{n:02}" for n in range(1, 20) if n % 3]


def test_closing_a_snoozed_conversation_keeps_it_snoozed_out_of_closed(session, shop):
    org = shop[0]
    _ingest(session, shop, _message(1, "ana"))
    ana = _id_of(session, "ana")
    snooze.snooze(session, org, [ana], NOW + timedelta(hours=1))
    actions.set_status(session, org, ana, ConversationStatus.CLOSED)
    assert _ids(session, org, view=InboxView.CLOSED) == []
    assert inbox_counts.view_counts(session, org).counts[InboxView.CLOSED] == 0
    actions.set_status(session, org, ana, ConversationStatus.ARCHIVED)
    counts = inbox_counts.view_counts(session, org).counts
    assert counts[InboxView.ARCHIVED] == 0 and counts[InboxView.SNOOZED] == 0


def test_a_labels_count_leaves_out_its_snoozed_as_its_list_does(session, shop):
    """The sidebar's "VIP 2" beside the label's list of 2: a snoozed conversation
    leaves both, and comes back to both at its time, before any app wakes it."""
    org = shop[0]
    _ingest(session, shop, _message(1, "ana"), _message(1, "bo"), _message(1, "cy"))
    ana, bo, cy = (_id_of(session, contact) for contact in ("ana", "bo", "cy"))
    vip = labels.create_label(session, org, "VIP", "#ef4444")
    labels.apply_label(session, org, vip, [ana, bo, cy])
    actions.set_status(session, org, cy, ConversationStatus.ARCHIVED)

    def count() -> int:
        return next(label.conversations for label in labels.list_labels(session, org))

    assert count() == len(_ids(session, org, label_id=vip)) == 2
    snooze.snooze(session, org, [ana], NOW + timedelta(hours=3))
    assert _ids(session, org, label_id=vip) == [bo] and count() == 1
    # Deleting the label still says what it comes off: all three, archived and snoozed.
    assert next(label.carried_by for label in labels.list_labels(session, org)) == 3
    _set_time(session, ana, NOW - timedelta(seconds=1))  # due, not yet woken
    assert count() == len(_ids(session, org, label_id=vip)) == 2
    assert snooze.wake_due(session, org) == {ana}
    assert count() == 2
