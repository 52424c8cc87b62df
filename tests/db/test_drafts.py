"""Reply drafts on real PostgreSQL: one per conversation and member, scoped to
the organisation, gone with their conversation."""

from sqlalchemy import text

from snorq_desktop.domain.drafts import Draft
from snorq_desktop.store import drafts
from snorq_desktop.store import organizations as orgs
from tests.db.shops import make_shop


def _owner(session, org: str) -> str:
    return session.execute(
        text("SELECT owner_id FROM organizations WHERE id = :o"), {"o": org}
    ).scalar_one()


def test_each_member_has_their_own_draft_and_a_blank_reply_leaves_none(session):
    org, ids = make_shop(session, "shop", 2)
    owner = _owner(session, org)
    sam = orgs.create_user(session, email="sam@example.com", name="Sam")
    orgs.add_member(session, organization_id=org, user_id=sam, added_by=owner)
    drafts.save_draft(session, org, owner, Draft(ids[0], "Ships Friday", as_note=False))
    drafts.save_draft(session, org, sam, Draft(ids[0], "Refund ok", as_note=True))
    drafts.save_draft(session, org, owner, Draft(ids[0], "Ships Monday", as_note=False))
    assert drafts.draft_of(session, org, owner, ids[0]) == Draft(ids[0], "Ships Monday", False)
    assert drafts.draft_of(session, org, sam, ids[0]) == Draft(ids[0], "Refund ok", True)
    assert drafts.conversations_with_drafts(session, org, owner) == {ids[0]}
    drafts.save_draft(session, org, owner, Draft(ids[0], "  ", as_note=False))
    assert drafts.draft_of(session, org, owner, ids[0]) is None
    # a chosen "Internal note" with nothing typed is kept, but shows no "Draft"
    drafts.save_draft(session, org, owner, Draft(ids[1], "", as_note=True))
    assert drafts.draft_of(session, org, owner, ids[1]) == Draft(ids[1], "", True)
    assert drafts.conversations_with_drafts(session, org, owner) == set()


def test_another_organisations_conversation_gets_no_draft(session):
    org, _ = make_shop(session, "shop", 1)
    other_org, other_ids = make_shop(session, "other", 1)
    owner = _owner(session, org)
    drafts.save_draft(session, org, owner, Draft(other_ids[0], "Wrong shop", as_note=False))
    assert session.execute(text("SELECT count(*) FROM reply_drafts")).scalar_one() == 0
    assert drafts.draft_of(session, other_org, owner, other_ids[0]) is None


def test_a_draft_goes_with_its_conversation(session):
    org, ids = make_shop(session, "shop", 1)
    drafts.save_draft(session, org, _owner(session, org), Draft(ids[0], "Hi", as_note=False))
    session.execute(text("DELETE FROM conversations WHERE id = :c"), {"c": ids[0]})
    assert session.execute(text("SELECT count(*) FROM reply_drafts")).scalar_one() == 0


def test_a_draft_keeps_the_message_it_answers_only_from_its_own_conversation(session):
    org, ids = make_shop(session, "shop", 2)
    owner = _owner(session, org)
    for n, conversation in enumerate(ids):
        session.execute(
            text(
                "INSERT INTO messages (id, organization_id, conversation_id, direction, content,"
                " external_id) VALUES (:m, :o, :c, 'INBOUND', 'Hi', :e)"
            ),
            {"m": f"m{n}", "o": org, "c": conversation, "e": f"wamid.{n}"},
        )
    # Nothing typed yet, only "Replying to …": still kept.
    drafts.save_draft(session, org, owner, Draft(ids[0], "", False, reply_to="m0"))
    assert drafts.draft_of(session, org, owner, ids[0]) == Draft(ids[0], "", False, "m0")
    # Another conversation's message is never kept as what this draft answers.
    drafts.save_draft(session, org, owner, Draft(ids[0], "Sure", False, reply_to="m1"))
    assert drafts.draft_of(session, org, owner, ids[0]) == Draft(ids[0], "Sure", False, None)
    assert drafts.conversations_with_drafts(session, org, owner) == {ids[0]}
