"""A member's search reads the search index and finds only their organisations'
conversations (#13): under row-level security ``@@`` (not leakproof) cannot use
the GIN index, so the matching step runs in SECURITY DEFINER functions
(migration 0015_member_search) that check the caller's membership."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy.orm import Session

from snorq_desktop.domain.inbox import InboxQuery
from snorq_desktop.store.compiled_reads import plan_nodes
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.inbox import explain_inbox_page, inbox_page
from snorq_desktop.store.search import SearchPlan, choose_plan, read_statistics
from snorq_desktop.store.unit_of_work import session_factory
from tests.db import test_database_security as security
from tests.db.test_database_security import A, B, World, _conninfo

world = security.world  # the two shops and their logins

SEARCH_INDEX = "messages_content_search_idx"
# The matching step's statement, as snorq_found_messages runs it.
_MATCHING = (
    "SELECT m.conversation_id FROM messages m WHERE m.organization_id = %s "
    "AND to_tsvector('simple'::regconfig, COALESCE(m.content, '')) "
    "@@ to_tsquery('simple'::regconfig, 'secret:*')"
)


@contextmanager
def _session_as(world: World, kind: str) -> Iterator[Session]:
    login = world.logins[kind]
    engine = create_database_engine(world.url.set(username=login.name, password=login.password))
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


@pytest.mark.parametrize("plan", [SearchPlan.FOUND, SearchPlan.WALK_FOUND, SearchPlan.WALK])
def test_a_member_finds_only_their_organisations_conversations(world: World, plan) -> None:
    with _session_as(world, "member_a") as session:
        found = inbox_page(session, A, InboxQuery(search="secret"), plan=plan)
        assert [c.id for c in found] == ["conv_a"]
        session.rollback()
        # Asking about the other shop gives nothing of it, whichever way: its
        # policies hide it, and the matching functions refuse a stranger.
        try:
            theirs: list[object] = list(
                inbox_page(session, B, InboxQuery(search="secret"), plan=plan)
            )
        except psycopg.Error as error:
            theirs = [] if "not a member of this organisation" in str(error) else [error]
        assert theirs == []


def test_the_matching_functions_refuse_another_organisation(world: World) -> None:
    member = world.logins["member_a"].connection
    assert member is not None
    for call, args in (
        ("SELECT snorq_found_messages(%s, 'secret:*', NULL)", (B,)),
        ("SELECT snorq_search_hits(%s, 'secret:*', NULL, 'secret:*')", (B,)),
        ("SELECT snorq_found_contacts(%s, 'secret:*')", (B,)),
    ):
        with pytest.raises(psycopg.Error, match="not a member of this organisation"):
            member.execute(call, args)
        member.rollback()
    mine = member.execute("SELECT snorq_found_messages(%s, 'secret:*', NULL)", (A,)).fetchall()
    assert sorted(mine) == [("conv_a",), ("conv_a",)]
    member.rollback()
    # One row per conversation: its newest matching message, the result's preview.
    hits = member.execute(
        "SELECT * FROM snorq_search_hits(%s, 'secret:*', NULL, NULL)", (A,)
    ).fetchall()
    assert [conversation for conversation, _ in hits] == ["conv_a"]
    member.rollback()
    for kind in ("relay", "removed_b"):
        other = world.logins[kind].connection
        assert other is not None
        with pytest.raises(psycopg.Error):
            other.execute("SELECT snorq_found_messages(%s, 'secret:*', NULL)", (B,))
        other.rollback()


def _index_reads(plan: dict[str, Any]) -> list[str]:
    return [n["Node Type"] for n in plan_nodes(plan) if n.get("Index Name") == SEARCH_INDEX]


def test_a_members_search_reads_the_search_index(world: World) -> None:
    # Enough of shop A's messages that reading them all costs more than the
    # index, few of them with the word searched.
    world.admin.execute(
        "INSERT INTO messages (id, direction, content, conversation_id, organization_id) "
        "SELECT 'bulk_' || i, 'INBOUND', 'hello there number ' || i, 'conv_a', %s "
        "FROM generate_series(1, 5000) i",
        (A,),
    )
    world.admin.execute("ANALYZE messages")
    with _session_as(world, "member_a") as session:
        plan = explain_inbox_page(session, A, InboxQuery(search="secret"), plan=SearchPlan.FOUND)
    nodes = plan_nodes(plan)
    # The member's statement reads no message itself: the matching function does.
    assert not [n for n in nodes if n.get("Relation Name") == "messages"]
    assert "snorq_search_hits" in {
        n.get("Function Name") for n in nodes if n["Node Type"] == "Function Scan"
    }

    # The function runs as the owner role: its statement reads the GIN index...
    def explained(connection: psycopg.Connection[Any]) -> dict[str, Any]:
        row = connection.execute("EXPLAIN (FORMAT JSON) " + _MATCHING, (A,)).fetchone()
        connection.rollback()
        assert row is not None
        result: dict[str, Any] = row[0][0]
        return result

    with psycopg.connect(_conninfo(world.url)) as admin:
        admin.execute("SET ROLE snorq_owner")
        assert _index_reads(explained(admin)) == ["Bitmap Index Scan"]
    # ...which the same statement under the member's policies cannot.
    member = world.logins["member_a"].connection
    assert member is not None
    assert _index_reads(explained(member)) == []


def test_a_member_plans_from_the_statistics_of_the_words_searched(world: World) -> None:
    """pg_stats hides the search indexes' statistics from a member's login, which
    then took every word for a rare one (bench/rls_cost.py: a common word 5-8x
    the owner's time); snorq_search_statistics (0026) gives it the same shares
    for the words it searches, and nothing of the other listed words."""
    admin = create_database_engine(world.url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql("ANALYZE messages")
            connection.exec_driver_sql("ANALYZE conversations")
        with session_factory(admin)() as session:
            whole = read_statistics(session)
    finally:
        admin.dispose()
    assert whole.message_words.share("secret") is not None, "ANALYZE listed the words"
    with _session_as(world, "member_a") as session:
        hidden = read_statistics(session)
        asked = read_statistics(session, ["secret", "wor"])
    assert hidden.message_words.shares == {}  # what a member saw before 0026
    assert asked.message_words.shares == {
        word: share
        for word, share in whole.message_words.shares.items()
        if word.startswith(("secret", "wor"))
    }
    assert asked.message_words.unlisted == whole.message_words.unlisted
    assert asked.knows(["secret"]) and not asked.knows(["of"])
    for words in (["secret"], ["wor", "secret"]):
        assert choose_plan(words, asked) == choose_plan(words, whole)
    relay = world.logins["relay"].connection
    assert relay is not None
    with pytest.raises(psycopg.Error):  # not a function it may call
        relay.execute("SELECT * FROM snorq_search_statistics(ARRAY['secret'])")
    relay.rollback()
