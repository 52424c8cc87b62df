"""Business hours and automatic answers on real PostgreSQL (#17.6): saved by an
owner or admin only, queued once per conversation and period whoever queues
them (two apps at once, a rerun), never for an answered, old or echoed message."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from snorq_desktop.domain.business_hours import BusinessHours, OpenHours
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import PermissionDenied
from snorq_desktop.domain.ids import new_id
from snorq_desktop.store import automatic_replies as store
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.models import Organization, PlatformConnection
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.db.shops import make_shop
from tests.world import wait_for

CLOSED = BusinessHours(
    "Europe/Lisbon",
    (None,) * 7,
    away_on=True,
    away_text="We're closed, back tomorrow at 9.",
    greeting_text="Welcome!",
)
NOW = datetime(2026, 12, 5, 22, 0, tzinfo=UTC)  # a Saturday night in Lisbon


def _owner(session, org: str) -> str:
    return session.execute(select(Organization.owner_id).where(Organization.id == org)).scalar_one()


def _connection(session, org: str) -> str:
    return session.execute(
        select(PlatformConnection.id).where(PlatformConnection.organization_id == org)
    ).scalar_one()


def _writes(session, org: str, conversation: str, at: datetime, direction="INBOUND", **more):
    session.execute(
        text(
            "INSERT INTO messages (id, direction, content, conversation_id, organization_id, "
            "platform_timestamp, sent_elsewhere) VALUES (:id, :d, 'hello', :c, :o, :at, :e)"
        ),
        {"id": new_id(), "d": direction, "c": conversation, "o": org, "at": at, **more}
        | {"e": more.get("e", False)},
    )
    session.execute(
        text("UPDATE conversations SET last_message_at = :at WHERE id = :c"),
        {"at": at, "c": conversation},
    )


def _automatic(session, org: str) -> list[tuple[str, str, str, str | None]]:
    return [
        tuple(r)
        for r in session.execute(
            text(
                "SELECT a.kind, m.content, m.status::text, m.sent_by_user_id "
                "FROM automatic_replies a JOIN messages m ON m.id = a.message_id "
                "WHERE a.organization_id = :o ORDER BY m.created_at"
            ),
            {"o": org},
        )
    ]


def _shop(session, slug: str, began_before: bool = True) -> tuple[str, str, str]:
    org, [conversation] = make_shop(session, slug, 1)
    if began_before:  # a returning customer: the conversation began last month
        _writes(session, org, conversation, NOW - timedelta(days=30))
    return org, conversation, _connection(session, org)


def test_the_hours_are_saved_and_read_back_by_an_owner_or_admin_only(session):
    org, _ = make_shop(session, "hours", 0)
    owner = _owner(session, org)
    assert store.read_business_hours(session, org) is None
    store.save_business_hours(session, org, CLOSED, owner)
    late = BusinessHours(
        "America/New_York",
        (OpenHours.parse("18:00", "02:00"),) + (None,) * 6,
        greeting_on=True,
        greeting_text="  Hi!  ",
    )
    store.save_business_hours(session, org, late, owner)
    assert store.read_business_hours(session, org) == BusinessHours(
        "America/New_York", late.week, greeting_on=True, greeting_text="Hi!"
    )
    member = orgs.create_user(session, email="leo@example.com", name="Leo")
    orgs.add_member(
        session, organization_id=org, added_by=owner, user_id=member, role=MemberRole.MEMBER
    )
    with pytest.raises(PermissionDenied, match="Only an owner or an admin"):
        store.save_business_hours(session, org, CLOSED, member)
    assert store.read_business_hours(session, org) is not None
    assert store.read_business_hours(session, org).time_zone == "America/New_York"  # type: ignore[union-attr]


def test_the_away_message_is_queued_once_per_conversation_and_closed_period(session):
    org, conversation, connection = _shop(session, "away")
    store.save_business_hours(session, org, CLOSED, _owner(session, org))
    _writes(session, org, conversation, NOW - timedelta(minutes=1))
    assert store.queue_automatic_replies(session, org, connection, NOW) == {conversation}
    assert store.queue_automatic_replies(session, org, connection, NOW) == set(), "a rerun"
    _writes(session, org, conversation, NOW + timedelta(minutes=5))  # she writes again
    assert store.queue_automatic_replies(session, org, connection, NOW + timedelta(minutes=6)) == (
        set()
    )
    assert _automatic(session, org) == [
        ("AWAY", "We're closed, back tomorrow at 9.", "PENDING", None)
    ]
    tomorrow = NOW + timedelta(days=1)  # closed all week: each day is a period
    _writes(session, org, conversation, tomorrow)
    assert store.queue_automatic_replies(session, org, connection, tomorrow) == {conversation}
    assert len(_automatic(session, org)) == 2


def test_a_new_customer_outside_the_hours_gets_the_greeting_then_the_away_message(session):
    org, conversation, connection = _shop(session, "greet", began_before=False)
    hours = BusinessHours(
        CLOSED.time_zone, CLOSED.week, True, CLOSED.away_text, True, CLOSED.greeting_text
    )
    store.save_business_hours(session, org, hours, _owner(session, org))
    _writes(session, org, conversation, NOW)
    store.queue_automatic_replies(session, org, connection, NOW)
    assert [(kind, words) for kind, words, _, _ in _automatic(session, org)] == [
        ("GREETING", "Welcome!"),
        ("AWAY", "We're closed, back tomorrow at 9."),
    ]


def test_nothing_is_queued_for_an_answered_old_or_echoed_message(session):
    org, conversation, connection = _shop(session, "quiet")
    owner = _owner(session, org)
    store.save_business_hours(session, org, CLOSED, owner)
    _writes(session, org, conversation, NOW - timedelta(minutes=20))  # found late
    assert store.queue_automatic_replies(session, org, connection, NOW) == set()
    _writes(session, org, conversation, NOW - timedelta(minutes=2))
    # the shop answered from its phone (an echo): a person is on it
    _writes(session, org, conversation, NOW - timedelta(minutes=1), "OUTBOUND", e=True)
    assert store.queue_automatic_replies(session, org, connection, NOW) == set()
    off = BusinessHours(CLOSED.time_zone, CLOSED.week, away_text="x")
    store.save_business_hours(session, org, off, owner)
    _writes(session, org, conversation, NOW)
    assert store.queue_automatic_replies(session, org, connection, NOW) == set()
    assert _automatic(session, org) == []


def _waiting_on_a_lock(engine) -> bool:
    with engine.connect() as db:
        return bool(
            db.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar()
        )


def test_two_apps_queuing_at_once_queue_one_away_message(engine):
    """The second app's key waits on the first's uncommitted one, then finds it
    taken and writes nothing, not even the message it had begun."""
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        org, conversation, connection = _shop(session, "race")
        store.save_business_hours(session, org, CLOSED, _owner(session, org))
        _writes(session, org, conversation, NOW)
    second: list[set[str]] = []

    def other_app() -> None:
        with unit_of_work(sessions) as session:
            second.append(store.queue_automatic_replies(session, org, connection, NOW))

    with unit_of_work(sessions) as first:
        assert store.queue_automatic_replies(first, org, connection, NOW) == {conversation}
        thread = threading.Thread(target=other_app)
        thread.start()
        wait_for(lambda: _waiting_on_a_lock(engine))
    thread.join()
    assert second == [set()]
    with sessions() as session:
        assert len(_automatic(session, org)) == 1
        assert (
            session.execute(
                text(
                    "SELECT count(*) FROM messages "
                    "WHERE direction = 'OUTBOUND' AND organization_id = :o"
                ),
                {"o": org},
            ).scalar()
            == 1
        )
