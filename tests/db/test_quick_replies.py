"""Quick replies on real PostgreSQL (#17.1): a shortcut unique in its organisation
whatever its case (also when two apps add it at once), each refusal a sentence
that writes nothing, organisations kept apart, and the team's notice naming no
words."""

import json
import threading

import pytest
from sqlalchemy import select, text

from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.quick_replies import QuickReplyRefused
from snorq_desktop.domain.team_notice import encode_notice, read_notice
from snorq_desktop.store import quick_replies as store
from snorq_desktop.store.models import Organization
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.db.shops import make_shop


def _owner(session, org: str) -> str:
    return session.execute(select(Organization.owner_id).where(Organization.id == org)).scalar_one()


def _listed(session, org: str) -> list[tuple[str, str]]:
    return [(q.shortcut, q.text) for q in store.list_quick_replies(session, org)]


def test_quick_replies_are_added_changed_and_deleted_by_shortcut(session):
    org, _ = make_shop(session, "shop", 0)
    owner = _owner(session, org)
    words = "  Hi {first_name}, it is 25 €. "
    price = store.add_quick_reply(session, org, " /price ", words, owner)
    store.add_quick_reply(session, org, "Hours", "Open 9-18, Monday to Saturday.", owner)
    assert _listed(session, org) == [
        ("Hours", "Open 9-18, Monday to Saturday."),
        ("price", "Hi {first_name}, it is 25 €."),
    ]
    store.change_quick_reply(session, org, price, "prices", "From 20 €.")
    assert ("prices", "From 20 €.") in _listed(session, org)
    made_by = session.execute(
        text("SELECT created_by, updated_at >= created_at FROM quick_replies WHERE id = :id"),
        {"id": price},
    ).one()
    assert tuple(made_by) == (owner, True)
    store.delete_quick_reply(session, org, price)
    assert _listed(session, org) == [("Hours", "Open 9-18, Monday to Saturday.")]
    with pytest.raises(NotFound, match="no longer exists"):
        store.delete_quick_reply(session, org, price)
    with pytest.raises(NotFound, match="no longer exists"):
        store.change_quick_reply(session, org, price, "x", "y")


@pytest.mark.parametrize(
    ("shortcut", "words", "sentence"),
    [
        ("", "text", "A quick reply needs a shortcut, e.g. /price."),
        ("/", "text", "A quick reply needs a shortcut, e.g. /price."),
        ("two words", "text", "“/two words” cannot be a shortcut: use letters, digits, - and _"),
        ("x" * 31, "text", "A shortcut can be at most 30 characters long."),
        ("ok", "   ", "A quick reply needs the text it puts in the reply box."),
        ("ok", "y" * 4097, "A quick reply can be at most 4,096 characters long (this one"),
    ],
)
def test_a_refused_quick_reply_says_why_and_writes_nothing(session, shortcut, words, sentence):
    org, _ = make_shop(session, "shop", 0)
    with pytest.raises(QuickReplyRefused) as refused:
        store.add_quick_reply(session, org, shortcut, words, _owner(session, org))
    assert refused.value.sentence.startswith(sentence)
    assert _listed(session, org) == []


def test_a_shortcut_is_unique_in_its_organisation_whatever_its_case(session):
    org, _ = make_shop(session, "shop", 0)
    other, _ = make_shop(session, "other", 0)
    owner = _owner(session, org)
    store.add_quick_reply(session, org, "price", "25 €", owner)
    hours = store.add_quick_reply(session, org, "hours", "9-18", owner)
    with pytest.raises(QuickReplyRefused) as taken:
        store.add_quick_reply(session, org, "/PRICE", "30 €", owner)
    assert taken.value.sentence == "There is already a quick reply /PRICE: pick it to change it."
    with pytest.raises(QuickReplyRefused, match="already a quick reply /Price"):
        store.change_quick_reply(session, org, hours, "Price", "9-18")
    assert _listed(session, org) == [("hours", "9-18"), ("price", "25 €")]
    # Another shop has its own /price, and never sees this one's.
    store.add_quick_reply(session, other, "price", "12 €", _owner(session, other))
    assert _listed(session, other) == [("price", "12 €")]
    with pytest.raises(NotFound):
        store.delete_quick_reply(session, other, hours)


def test_two_apps_adding_one_shortcut_at_once_keep_one(engine):
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        org, _ = make_shop(session, "race", 0)
        owner = _owner(session, org)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def add(words: str) -> None:
        barrier.wait()
        try:
            with unit_of_work(sessions) as session:
                store.add_quick_reply(session, org, "Price", words, owner)
            results.append("added")
        except QuickReplyRefused as refused:
            results.append(refused.sentence)

    threads = [threading.Thread(target=add, args=(w,)) for w in ("25 €", "30 €")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [
        "There is already a quick reply /Price: pick it to change it.",
        "added",
    ]
    with sessions() as session:
        assert len(store.list_quick_replies(session, org)) == 1


def test_the_teams_notice_of_a_quick_reply_names_no_words():
    payload = encode_notice("org", Changes(quick_replies=True), "app")
    assert json.loads(payload) == {"o": "org", "from": "app", "c": [], "m": [], "a": [], "q": 1}
    assert read_notice(payload)[2] == Changes(quick_replies=True)
