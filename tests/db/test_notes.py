"""Internal notes on real PostgreSQL: written by members, changed only by their
author, gone with their conversation, and never anywhere a message could be sent from."""

import pytest
from sqlalchemy import text

from snorq_desktop.domain.errors import NotFound, PermissionDenied
from snorq_desktop.domain.notes import InvalidNote
from snorq_desktop.store import notes, outbox
from snorq_desktop.store import organizations as orgs
from tests.db.shops import make_shop


def test_a_member_writes_notes_and_only_the_author_changes_them(session):
    org, ids = make_shop(session, "shop", 2)
    owner = session.execute(text("SELECT owner_id FROM organizations")).scalar_one()
    teammate = orgs.create_user(session, email="sam@example.com", name="Sam")
    orgs.add_member(session, organization_id=org, user_id=teammate, added_by=owner)
    stranger = orgs.create_user(session, email="eve@example.com")

    first = notes.add_note(session, org, ids[0], owner, "  Called her: wants size M.  ")
    second = notes.add_note(session, org, ids[0], teammate, "Refund approved by Maya")
    notes.add_note(session, org, ids[1], teammate, "Another conversation")
    assert first.content == "Called her: wants size M."
    thread = notes.thread_notes(session, org, ids[0])
    assert [(n.author_name, n.content) for n in thread] == [
        ("Shop", "Called her: wants size M."),
        ("Sam", "Refund approved by Maya"),
    ]
    assert notes.thread_notes(session, org, ids[0], since=second.written_at) == [thread[1]]

    with pytest.raises(PermissionDenied, match="Only members"):
        notes.add_note(session, org, ids[0], stranger, "hello")
    with pytest.raises(InvalidNote, match="needs some text"):
        notes.add_note(session, org, ids[0], owner, "   ")
    with pytest.raises(NotFound):
        notes.add_note(session, "other-org", ids[0], owner, "hello")

    with pytest.raises(PermissionDenied, match="Only the teammate who wrote"):
        notes.edit_note(session, org, second.id, owner, "changed by the owner")
    with pytest.raises(PermissionDenied):
        notes.delete_note(session, org, second.id, owner)
    assert notes.edit_note(session, org, second.id, teammate, "Refund sent") == ids[0]
    assert notes.delete_note(session, org, first.id, owner) == ids[0]
    assert [n.content for n in notes.thread_notes(session, org, ids[0])] == ["Refund sent"]
    with pytest.raises(NotFound):
        notes.edit_note(session, org, first.id, owner, "gone")
    with pytest.raises(NotFound):  # another organisation cannot reach it
        notes.delete_note(session, "other-org", second.id, teammate)


def test_notes_go_with_their_conversation_and_keep_their_author(session):
    org, ids = make_shop(session, "shop", 2)
    owner = session.execute(text("SELECT owner_id FROM organizations")).scalar_one()
    _, other_ids = make_shop(session, "other", 1)
    helper = orgs.create_user(session, email="helper@example.com", name="Helper")
    other_org = session.execute(
        text("SELECT organization_id FROM conversations WHERE id = :i"), {"i": other_ids[0]}
    ).scalar_one()
    other_owner = session.execute(
        text("SELECT owner_id FROM organizations WHERE id = :o"), {"o": other_org}
    ).scalar_one()
    orgs.add_member(session, organization_id=org, user_id=helper, added_by=owner)
    notes.add_note(session, org, ids[0], owner, "one")
    notes.add_note(session, org, ids[1], helper, "two")
    notes.add_note(session, other_org, other_ids[0], other_owner, "theirs")
    session.execute(text("DELETE FROM conversations WHERE id = :i"), {"i": ids[0]})
    assert session.execute(text("SELECT content FROM notes ORDER BY content")).scalars().all() == [
        "theirs",
        "two",
    ]
    # Leaving the team keeps what they wrote; deleting their account takes it.
    orgs.remove_member(session, organization_id=org, actor_id=owner, user_id=helper)
    assert notes.thread_notes(session, org, ids[1])[0].author_name == "Helper"
    orgs.delete_user(session, helper)
    assert notes.thread_notes(session, org, ids[1]) == []
    # A user whose own organisation goes with them takes its notes too.
    orgs.delete_user(session, other_owner)
    assert session.execute(text("SELECT count(*) FROM notes")).scalar() == 0


def test_a_note_is_never_a_message_and_never_in_the_outbox(session):
    org, ids = make_shop(session, "shop", 1)
    owner = session.execute(text("SELECT owner_id FROM organizations")).scalar_one()
    connection = session.execute(text("SELECT id FROM platform_connections")).scalar_one()
    notes.add_note(session, org, ids[0], owner, "Do not tell the customer: she is a VIP")
    assert session.execute(text("SELECT count(*) FROM messages")).scalar() == 0
    assert outbox.pending_replies(session, org, connection) == []
    preview = session.execute(
        text("SELECT last_message_preview FROM conversations WHERE id = :i"), {"i": ids[0]}
    ).scalar()
    assert preview is None, "a note does not become the inbox preview either"
