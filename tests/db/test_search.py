"""Search: every plan finds the same pages (the old walk's, and what the words
say), pages of contact matches have no gaps or repeats, each page is one
statement without id lists, each plan shows each row's newest matching
message, and the plan follows the index statistics."""

import re
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import ConversationStatus, PlanType, Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store import inbox
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.arrivals import Arrival, add_inbound
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.models import Conversation
from snorq_desktop.store.search import (
    SearchPlan,
    SearchStatistics,
    WordShares,
    choose_plan,
    read_statistics,
)

WORDS = ["parcel", "blue", "dress", "ok", "price", "pickup"]
# Every shape of bench/search.py: one word, rare, common, absent, prefix, two and
# three words mixing rare and common, a word in most messages, names matching
# one conversation or many, and a name with a message word.
SHAPES = [
    "parcel",
    "zircon",
    "ok",
    "xylophone",
    "p",
    "pick",
    "parcel zircon",
    "zircon parcel blue",
    "malachite turq",
    "parcel blue",
    "ana",
    "ana 7",
    "ana parcel",
    "kenji zircon",
]


@pytest.fixture
def shop(session):
    owner = orgs.create_user(session, email="o@example.com")
    org_id = orgs.create_organization(
        session, owner_id=owner, name="S", slug="s", plan=PlanType.PRO
    )
    connection = connect_platform(
        session,
        TokenCipher(KeySet.fresh()),
        organization_id=org_id,
        account=PlatformAccount(
            platform=Platform.WHATSAPP, platform_user_id="p", access_token=SecretToken("t")
        ),
    )
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    texts: dict[str, list[str]] = {}
    for n in range(60):
        name = ["Ana", "Kenji", "Olu"][n % 3] + f" {n}"
        conversation = Conversation(
            organization_id=org_id,
            platform_connection_id=connection,
            platform=Platform.WHATSAPP,
            external_id=new_id(),
            contact_external_id="x",
            contact_name=name,
            # Ties in activity, so paging must order by id too.
            last_message_at=now - timedelta(minutes=n // 4),
        )
        session.add(conversation)
        session.flush()
        said = []
        for k in range(n % 5):
            words = [WORDS[(n * 7 + k * 3 + j) % len(WORDS)] for j in range(1 + (n + k) % 3)]
            if (n + k) % 11 == 0:
                words.append("zircon")
            if n % 13 == 0 and k == 1:
                words += ["malachite", "turquoise"]
            said.append(" ".join(words))
            add_inbound(
                session,
                org_id,
                Arrival(conversation.id, f"m{n}-{k}", " ".join(words), sent_at=now),
            )
        texts[conversation.id] = [name, *said]
        if n % 17 == 5:
            actions.set_status(session, org_id, conversation.id, ConversationStatus.ARCHIVED)
            texts[conversation.id] = []  # archived: not in the inbox
    session.flush()
    return org_id, texts


def _expected(texts: dict[str, list[str]], typed: str) -> set[str]:
    """What the words say: a name or a message holding each word's prefix."""
    words = re.findall(r"\w+", typed.lower())
    return {
        cid
        for cid, said in texts.items()
        if any(all(any(t.startswith(w) for t in s.lower().split()) for w in words) for s in said)
    }


def _every_page(session, org_id, query, plan, limit=7):
    seen, after = [], None
    while page := inbox.inbox_page(session, org_id, query, after=after, limit=limit, plan=plan):
        seen.extend(page)
        after = page[-1].position
    return seen


@pytest.mark.parametrize("typed", SHAPES)
def test_every_plan_finds_the_pages_the_old_walk_finds(session, shop, typed):
    org_id, texts = shop
    query = InboxQuery(search=typed)
    walked = [s.id for s in _every_page(session, org_id, query, SearchPlan.WALK)]
    assert set(walked) == _expected(texts, typed)
    for plan in (SearchPlan.WALK_FOUND, SearchPlan.FOUND):
        assert [s.id for s in _every_page(session, org_id, query, plan)] == walked
    # And whatever the statistics choose, in one page.
    assert [s.id for s in inbox.inbox_page(session, org_id, query, limit=100)] == walked


def test_pages_of_contact_matches_have_no_gaps_or_repeats(session, shop):
    org_id, texts = shop
    query = InboxQuery(search="ana")
    for plan in SearchPlan:
        pages = []
        after = None
        while page := inbox.inbox_page(session, org_id, query, after=after, limit=3, plan=plan):
            assert len(page) <= 3
            pages.append(page)
            after = page[-1].position
        seen = [s for page in pages for s in page]
        assert [s.position for s in seen] == sorted((s.position for s in seen), reverse=True)
        assert len({s.id for s in seen}) == len(seen) == len(_expected(texts, "ana")) > 10


def test_a_label_view_and_a_search_narrow_together(session, shop):
    org_id, _ = shop
    query = InboxQuery(view=InboxView.ARCHIVED, search="ana")
    for plan in SearchPlan:
        found = inbox.inbox_page(session, org_id, query, plan=plan)
        assert found and all(s.status is ConversationStatus.ARCHIVED for s in found)
        assert all(s.contact_name.startswith("Ana") for s in found)


def test_a_search_page_is_one_statement_without_id_lists(session, shop, monkeypatch):
    org_id, _ = shop
    statements: list[tuple[str, object]] = []
    execute = psycopg.Connection.execute

    def record(connection, query, params=None, **kwargs):
        statements.append((query, params))
        return execute(connection, query, params, **kwargs)

    session.connection()  # begun before counting
    monkeypatch.setattr(psycopg.Connection, "execute", record)
    for plan in SearchPlan:
        statements.clear()
        page = inbox.inbox_page(session, org_id, InboxQuery(search="ana"), limit=5, plan=plan)
        assert len(page) == 5 and len(statements) == 1
        parameters = statements[0][1]
        assert isinstance(parameters, dict)
        assert not any(isinstance(v, list | tuple | set | frozenset) for v in parameters.values())


def test_the_plan_follows_the_statistics_and_never_walks_for_an_unlisted_word():
    statistics = SearchStatistics(
        messages=5_000_000,
        conversations=100_000,
        message_words=WordShares({"parcel": 0.13, "ok": 0.3, "blue": 0.13}, unlisted=0.0004),
        contact_words=WordShares({"ana": 0.2, "kenji": 0.2}, unlisted=0.0001),
    )
    assert choose_plan(["parcel"], statistics) is SearchPlan.WALK
    assert choose_plan(["ok"], statistics) is SearchPlan.WALK
    assert choose_plan(["par"], statistics) is SearchPlan.WALK  # a prefix of a common word
    assert choose_plan(["zircon"], statistics) is SearchPlan.FOUND
    assert choose_plan(["parcel", "zircon"], statistics) is SearchPlan.FOUND
    assert choose_plan(["ana"], statistics) is SearchPlan.WALK_FOUND
    assert choose_plan(["ana", "12345"], statistics) is SearchPlan.FOUND
    # No statistics yet (a new database): the index, never a walk of every thread.
    assert choose_plan(["parcel"], SearchStatistics()) is not SearchPlan.WALK


def test_statistics_come_from_the_search_indexes_after_analyze(session, shop):
    session.execute(text("ANALYZE messages"))
    session.execute(text("ANALYZE conversations"))
    statistics = read_statistics(session)
    assert statistics.messages > 0 and statistics.conversations >= 60
    assert statistics.message_words.share("parcel") is not None
    assert statistics.message_words.share("xylophone") is None
    share = statistics.contact_words.share("ana")
    assert share is not None and 0.2 < share < 0.5


_NEWEST_MATCH = text(
    "SELECT content FROM messages WHERE conversation_id = :c AND "
    "to_tsvector('simple'::regconfig, COALESCE(content, '')) @@ to_tsquery('simple', :q) "
    "ORDER BY COALESCE(platform_timestamp, created_at) DESC, id DESC LIMIT 1"
)


@pytest.mark.parametrize("typed", ["parcel", "zircon", "parcel zircon", "ana parcel", "ana"])
def test_every_plan_shows_each_rows_newest_matching_message(session, shop, typed):
    org_id, _ = shop
    query = InboxQuery(search=typed)
    terms = " & ".join(f"{w}:*" for w in typed.split())
    shown = {}
    for plan in SearchPlan:
        page = inbox.inbox_page(session, org_id, query, limit=100, plan=plan)
        shown[plan] = {row.id: row.last_message_preview for row in page}
    assert shown[SearchPlan.WALK] == shown[SearchPlan.WALK_FOUND] == shown[SearchPlan.FOUND]
    from_a_message = 0
    for conversation, preview in shown[SearchPlan.WALK].items():
        newest = session.execute(_NEWEST_MATCH, {"c": conversation, "q": terms}).scalar()
        # Found by the name alone: the conversation's latest message, as in the inbox.
        latest = session.get(Conversation, conversation).last_message_preview
        assert preview == (newest if newest is not None else latest)
        from_a_message += newest is not None
    # No message holds "ana", nor "ana" and "parcel" together: those are names.
    assert (from_a_message > 0) is not typed.startswith("ana")
