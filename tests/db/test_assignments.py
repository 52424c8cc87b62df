"""Who's on it (#17.2) on real PostgreSQL: assigning and taking, the Mine and
Unassigned pages and counts (kept by the trigger, equal to a recount after
every kind of change and a fold), someone outside the organisation refused
with a sentence that writes nothing, a leaving member's conversations back to
Unassigned, replying taking an unassigned conversation, and the notice naming
only ids."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.assignments import NOT_A_MEMBER
from snorq_desktop.domain.enums import ConversationStatus, MemberRole
from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import Changes, InboxQuery, InboxView
from snorq_desktop.domain.team_notice import encode_notice, read_notice
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store import assignments, inbox, snooze
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.compiled_reads import plan_nodes
from snorq_desktop.store.conversation_actions import set_status
from snorq_desktop.store.models import Organization
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.db.shops import make_shop

RECOUNT = """
SELECT coalesce(assignee_user_id, ''), count(*) FROM conversations
WHERE organization_id = :org AND status = 'OPEN' GROUP BY 1
"""


def _owner(session: Session, org: str) -> str:
    return session.execute(select(Organization.owner_id).where(Organization.id == org)).scalar_one()


def _teammate(session: Session, org: str, email: str = "bo@example.com") -> str:
    user = orgs.create_user(session, email=email, name="Bo")
    orgs.add_member(session, organization_id=org, user_id=user, role=MemberRole.MEMBER)
    return user


def _recount(session: Session, org: str) -> dict[str, int]:
    return {row[0]: row[1] for row in session.execute(text(RECOUNT), {"org": org})}


def _page(session: Session, org: str, view: InboxView, me: str) -> list[str]:
    return [r.id for r in inbox.inbox_page(session, org, InboxQuery(view=view, me=me))]


def test_mine_and_unassigned_pages_and_counts_follow_every_change(session):
    org, ids = make_shop(session, "shop", 6)
    owner, bo = _owner(session, org), _teammate(session, org)
    assert assignments.view_counts(session, org, owner) == {
        InboxView.MINE: 0,
        InboxView.UNASSIGNED: 6,
    }
    assert assignments.assign(session, org, ids[0], owner)
    assert assignments.assign(session, org, ids[3], owner)
    assert assignments.assign(session, org, ids[1], bo)
    assert not assignments.assign(session, org, ids[1], bo), "already Bo's"
    assert _page(session, org, InboxView.MINE, owner) == [ids[0], ids[3]]
    assert _page(session, org, InboxView.MINE, bo) == [ids[1]]
    assert _page(session, org, InboxView.UNASSIGNED, owner) == [ids[2], ids[4], ids[5]]
    assert inbox.summaries(session, org, [ids[1]])[ids[1]].assignee_id == bo
    assert assignments.view_counts(session, org, owner) == {
        InboxView.MINE: 2,
        InboxView.UNASSIGNED: 3,
    }
    # Closed: no longer waiting for anyone, in neither view nor count.
    set_status(session, org, ids[3], ConversationStatus.CLOSED)
    set_status(session, org, ids[5], ConversationStatus.CLOSED)
    assert _page(session, org, InboxView.MINE, owner) == [ids[0]]
    assert inbox.matches(session, org, InboxQuery(InboxView.MINE, me=owner), ids) == {ids[0]}
    assert assignments.assign(session, org, ids[0], None), "back to Unassigned"
    session.execute(text("DELETE FROM conversations WHERE id = :id"), {"id": ids[2]})
    counts = assignments.assignment_counts(session, org)
    assert counts == _recount(session, org) == {"": 2, bo: 1}
    # Past the fold, the same counts from a handful of rows.
    for _ in range(assignments.FOLD_AFTER):
        assignments.assign(session, org, ids[4], bo)
        assignments.assign(session, org, ids[4], None)
    assert assignments.assignment_counts(session, org) == _recount(session, org)
    rows = session.execute(
        text("SELECT count(*) FROM assignment_count_changes WHERE organization_id = :o"),
        {"o": org},
    ).scalar_one()
    assert rows <= 2
    assert assignments.assignment_counts(session, org) == _recount(session, org)


def test_the_snoozed_are_out_of_mine_and_unassigned_counts_as_out_of_their_lists(session):
    """A snoozed conversation leaves the lists until it wakes; the counts beside
    them said one more than the list showed (the demo: Unassigned 26, 25 rows)."""
    org, ids = make_shop(session, "shop", 3)
    owner = _owner(session, org)
    assignments.assign(session, org, ids[0], owner)
    later = datetime.now(UTC) + timedelta(hours=3)
    snooze.snooze(session, org, [ids[0], ids[1]], later)
    assert _page(session, org, InboxView.MINE, owner) == []
    assert _page(session, org, InboxView.UNASSIGNED, owner) == [ids[2]]
    assert assignments.view_counts(session, org, owner) == {
        InboxView.MINE: 0,
        InboxView.UNASSIGNED: 1,
    }
    snooze.snooze(session, org, [ids[0], ids[1]], None)
    assert assignments.view_counts(session, org, owner) == {
        InboxView.MINE: 1,
        InboxView.UNASSIGNED: 2,
    }


def test_mine_and_unassigned_pages_read_their_rows_from_their_indexes(session):
    org, ids = make_shop(session, "big", 3000)
    owner = _owner(session, org)
    session.execute(
        text("UPDATE conversations SET assignee_user_id = :me WHERE id = ANY(:ids)"),
        {"me": owner, "ids": ids[::30]},
    )
    session.execute(text("ANALYZE conversations"))
    for view, index in (
        (InboxView.MINE, "conversations_assignee_inbox_idx"),
        (InboxView.UNASSIGNED, "conversations_unassigned_inbox_idx"),
    ):
        plan = inbox.explain_inbox_page(session, org, InboxQuery(view=view, me=owner))
        nodes = plan_nodes(plan)
        assert index in {n.get("Index Name") for n in nodes}, (view, nodes)
        assert "Seq Scan" not in {n["Node Type"] for n in nodes}, view
    # Unassigned is most of the inbox: its first 100 come in order, never sorted.
    plan = inbox.explain_inbox_page(session, org, InboxQuery(InboxView.UNASSIGNED, me=owner))
    assert "Sort" not in {n["Node Type"] for n in plan_nodes(plan)}
    assert len(_page(session, org, InboxView.MINE, owner)) == 100


def test_only_a_member_of_the_organisation_can_be_assigned(session):
    org, ids = make_shop(session, "shop", 2)
    other, _ = make_shop(session, "other", 1)
    outsider = _owner(session, other)
    stranger = orgs.create_user(session, email="nobody@example.com")
    for who in (outsider, stranger, "no-such-person"):
        with pytest.raises(NotFound) as refused:
            assignments.assign(session, org, ids[0], who)
        assert refused.value.sentence == NOT_A_MEMBER
    assert assignments.assignee_of(session, org, ids[0]) is None
    assert assignments.view_counts(session, org, outsider)[InboxView.UNASSIGNED] == 2
    with pytest.raises(NotFound, match="no longer exists"):
        assignments.assign(session, other, ids[0], outsider)  # another shop's conversation
    assert [t.name for t in assignments.teammates(session, org)] == ["Shop"]


def test_a_member_who_leaves_hands_their_conversations_back(session):
    org, ids = make_shop(session, "shop", 3)
    other, other_ids = make_shop(session, "other", 1)
    owner, bo = _owner(session, org), _teammate(session, org)
    orgs.add_member(session, organization_id=other, user_id=bo, role=MemberRole.MEMBER)
    assignments.assign(session, org, ids[0], bo)
    assignments.assign(session, org, ids[1], bo)
    assignments.assign(session, other, other_ids[0], bo)
    orgs.remove_member(session, organization_id=org, actor_id=owner, user_id=bo)
    assert [assignments.assignee_of(session, org, c) for c in ids] == [None, None, None]
    assert assignments.assignee_of(session, other, other_ids[0]) == bo, "still on the other's"
    assert assignments.assignment_counts(session, org) == _recount(session, org) == {"": 3}


def test_an_organisation_deleted_leaves_no_counts(session):
    org, ids = make_shop(session, "gone", 2)
    owner = _owner(session, org)
    assignments.assign(session, org, ids[0], owner)
    orgs.delete_organization(session, organization_id=org, actor_id=owner)
    left = session.execute(text("SELECT count(*) FROM assignment_count_changes")).scalar_one()
    assert left == 0


def test_replying_to_an_unassigned_conversation_takes_it(engine, tmp_path):
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        org, ids = make_shop(session, "shop", 2)
        owner, bo = _owner(session, org), _teammate(session, org)
        assignments.assign(session, org, ids[1], bo)
    service = InboxService(sessions, ReplyJournal(tmp_path / "j.json"), acting_user_id=owner)
    service.identity()
    changes = service.send_reply(ids[0], new_id(), "Yes, it is in stock.")
    service.send_reply(ids[1], new_id(), "Bo will be back at 3.")
    with sessions() as session:
        assert assignments.assignee_of(session, org, ids[0]) == owner, "taken"
        assert assignments.assignee_of(session, org, ids[1]) == bo, "Bo's stays Bo's"
        assert _recount(session, org) == {owner: 1, bo: 1}
    assert changes.conversations == {ids[0]}
    assert service.counts().counts[InboxView.MINE] == 1
    assert [r.id for r in service.inbox_page(InboxQuery(view=InboxView.MINE), None, 10)] == [ids[0]]
    # Given to Bo: the team's notice says so, in ids only.
    given = service.assignments.assign(ids[0], bo)
    assert given.assignments == ((ids[0], bo),)
    payload = encode_notice(org, given, "app-1")
    assert "Yes" not in payload
    assert read_notice(payload)[2] == Changes(
        conversations=frozenset({ids[0]}), assignments=((ids[0], bo),)
    )
    assert service.assignments.assign(ids[0], bo) == Changes(), "no change, no notice"
