"""Labels on real PostgreSQL: unique names (also when two apps race), bulk apply
in one statement, conversations.labels always equal to the tables (whoever
writes), cascades, and a label's view paged by keyset."""

import threading
import time

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from snorq_desktop.domain.enums import ConversationStatus
from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.inbox import InboxQuery
from snorq_desktop.domain.labels import InvalidLabel, LabelNameTaken
from snorq_desktop.store import inbox
from snorq_desktop.store import labels as store
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.db.shops import make_shop

ARRAY_EQUALS_TABLES = """
    SELECT c.id, COALESCE(c.labels, '{}'),
           COALESCE((SELECT array_agg(l.name ORDER BY lower(l.name), l.name)
                       FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
                      WHERE cl.conversation_id = c.id), '{}')
      FROM conversations c
"""


def disagreements(connection_or_session) -> list[tuple[str, list[str], list[str]]]:
    """Conversations whose array is not exactly the tables' names (in name order)."""
    rows = connection_or_session.execute(text(ARRAY_EQUALS_TABLES)).all()
    return [(r[0], r[1], r[2]) for r in rows if list(r[1]) != list(r[2])]


def old_shop(session, slug: str, conversations: int) -> tuple[str, list[str]]:
    """shops.make_shop's rows, written with the seed's columns only (a schema before 0005)."""
    for statement in (
        "INSERT INTO users (id, email) VALUES (:slug || '-u', :slug || '@example.com')",
        "INSERT INTO organizations (id, name, slug, owner_id)"
        " VALUES (:slug || '-o', :slug, :slug, :slug || '-u')",
        "INSERT INTO organization_members (id, organization_id, user_id, role)"
        " VALUES (:slug || '-m', :slug || '-o', :slug || '-u', 'OWNER')",
        "INSERT INTO platform_connections (id, organization_id, platform, platform_user_id,"
        " access_token) VALUES (:slug || '-p', :slug || '-o', 'WHATSAPP', :slug, 'x')",
        "INSERT INTO conversations (id, organization_id, platform_connection_id, platform,"
        " external_id, contact_external_id)"
        " SELECT :slug || '-c' || lpad(n::text, 5, '0'), :slug || '-o', :slug || '-p',"
        " 'WHATSAPP', 'e' || n, 'p' || n FROM generate_series(0, :count - 1) AS n",
    ):
        session.execute(text(statement), {"slug": slug, "count": conversations})
    return f"{slug}-o", [f"{slug}-c{n:05d}" for n in range(conversations)]


def test_a_label_name_is_unique_in_its_organisation_whatever_its_case(session):
    org, _ = make_shop(session, "shop", 1)
    other, _ = make_shop(session, "other", 1)
    store.create_label(session, org, "  VIP   customer ", "#EF4444")
    assert [(label.name, label.color) for label in store.list_labels(session, org)] == [
        ("VIP customer", "#ef4444")
    ]
    for taken in ("VIP customer", "vip CUSTOMER"):
        with pytest.raises(LabelNameTaken, match="already a label called"):
            store.create_label(session, org, taken, "#6366f1")
    store.create_label(session, other, "VIP customer", "#6366f1")  # another shop's own
    refund = store.create_label(session, org, "Refund", "#6366f1")
    with pytest.raises(LabelNameTaken):
        store.rename_label(session, org, refund, "vip customer")
    store.rename_label(session, org, refund, "REFUND")  # its own name in another case
    with pytest.raises(InvalidLabel, match="needs a name"):
        store.create_label(session, org, "   ", "#6366f1")
    with pytest.raises(InvalidLabel, match="not a colour"):
        store.create_label(session, org, "Blue", "blue")
    # The database holds the rule too, for writers other than this app.
    with pytest.raises(IntegrityError, match="labels_organization_id_name_ci_key"):
        session.execute(
            text("INSERT INTO labels (id, name, organization_id) VALUES ('x', 'refund', :o)"),
            {"o": org},
        )


def _wait_until_blocked(engine, timeout: float = 10.0) -> None:
    """Until some other session waits on a lock (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        while not connection.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        ).scalar():
            assert time.monotonic() < deadline, "the second app never waited"
            time.sleep(0.02)
            connection.rollback()


def test_two_apps_creating_the_same_label_at_once_make_one(engine):
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        org, _ = make_shop(session, "shop", 1)
    outcome: list[object] = []

    def second_app() -> None:
        try:
            with unit_of_work(sessions) as session:
                outcome.append(store.create_label(session, org, "vip", "#6366f1"))
        except LabelNameTaken as error:
            outcome.append(error)

    with unit_of_work(sessions) as first:
        store.create_label(first, org, "VIP", "#6366f1")
        racer = threading.Thread(target=second_app)
        racer.start()
        _wait_until_blocked(engine)  # the second insert waits on our uncommitted row
    racer.join(timeout=10)
    assert len(outcome) == 1
    assert isinstance(outcome[0], LabelNameTaken)
    with sessions() as session:
        assert [label.name for label in store.list_labels(session, org)] == ["VIP"]


def test_a_label_goes_on_many_conversations_in_one_statement_and_one_transaction(engine):
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        org, ids = make_shop(session, "shop", 1200)
        _, foreign = make_shop(session, "other", 3)
        vip = store.create_label(session, org, "VIP", "#6366f1")
    inserts: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CONVERSATION_LABELS"):
            inserts.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with unit_of_work(sessions) as session:
            added = store.apply_label(session, org, vip, [*ids, *foreign])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    assert sorted(added) == ids, "another organisation's conversations are left alone"
    with unit_of_work(sessions) as session:
        assert store.apply_label(session, org, vip, ids[:10]) == [], "applied twice: once"
        assert disagreements(session) == []
        assert store.list_labels(session, org)[0].conversations == 1200

    # All or nothing: a transaction that fails after applying leaves no trace.
    def dies_half_way() -> None:
        with unit_of_work(sessions) as session:
            refund = store.create_label(session, org, "Refund", "#6366f1")
            store.apply_label(session, org, refund, ids)
            raise RuntimeError("the app died half-way")

    with pytest.raises(RuntimeError):
        dies_half_way()
    with sessions() as session:
        assert [label.name for label in store.list_labels(session, org)] == ["VIP"]
        assert session.execute(text("SELECT count(*) FROM conversation_labels")).scalar() == 1200


def test_the_array_equals_the_tables_after_every_operation(session):
    org, ids = make_shop(session, "shop", 6)
    vip = store.create_label(session, org, "VIP", "#6366f1")
    refund = store.create_label(session, org, "refund", "#22c55e")
    store.apply_label(session, org, vip, ids[:4])
    store.apply_label(session, org, refund, ids[2:])
    assert disagreements(session) == []
    arrays = dict(session.execute(text("SELECT id, labels FROM conversations")).all())
    assert arrays[ids[0]] == ["VIP"]
    assert arrays[ids[2]] == ["refund", "VIP"]  # name order, case aside
    assert arrays[ids[5]] == ["refund"]

    store.remove_label(session, org, vip, ids[:3])
    assert disagreements(session) == []
    store.rename_label(session, org, refund, "Returned")
    assert disagreements(session) == []
    assert session.execute(
        text("SELECT labels FROM conversations WHERE id = :i"), {"i": ids[3]}
    ).scalar() == ["Returned", "VIP"]
    store.recolour_label(session, org, refund, "#000000")
    assert disagreements(session) == []
    had_it = store.delete_label(session, org, refund)
    assert sorted(had_it) == sorted(ids[2:])
    assert disagreements(session) == []
    assert session.execute(
        text("SELECT labels FROM conversations WHERE id = :i"), {"i": ids[3]}
    ).scalar() == ["VIP"]
    # Writers other than this app go through the same triggers.
    session.execute(
        text("INSERT INTO conversation_labels VALUES (:c, :l)"), {"c": ids[5], "l": vip}
    )
    session.execute(text("UPDATE labels SET name = 'Very important' WHERE id = :l"), {"l": vip})
    assert disagreements(session) == []
    session.execute(
        text("DELETE FROM conversation_labels WHERE conversation_id = :c"), {"c": ids[5]}
    )
    assert disagreements(session) == []
    session.execute(
        text("UPDATE conversation_labels SET conversation_id = :to WHERE conversation_id = :c"),
        {"c": ids[3], "to": ids[0]},
    )
    assert disagreements(session) == []
    with pytest.raises(NotFound):
        store.rename_label(session, org, refund, "Gone")


def test_the_array_cannot_be_written_by_itself(session):
    org, ids = make_shop(session, "shop", 1)
    store.create_label(session, org, "VIP", "#6366f1")
    with pytest.raises(DBAPIError, match="kept from the labels"), session.begin_nested():
        session.execute(
            text("UPDATE conversations SET labels = ARRAY['VIP'] WHERE id = :i"), {"i": ids[0]}
        )
    with pytest.raises(DBAPIError, match="kept from the labels"), session.begin_nested():
        session.execute(
            text("""INSERT INTO conversations (id, organization_id, platform_connection_id,
                        platform, external_id, contact_external_id, labels)
                    SELECT 'new', organization_id, platform_connection_id, platform, 'x', 'y',
                           ARRAY['VIP'] FROM conversations WHERE id = :i"""),
            {"i": ids[0]},
        )
    # Other updates of a conversation are untouched by the guard.
    session.execute(
        text("UPDATE conversations SET unread_count = 3, labels = labels WHERE id = :i"),
        {"i": ids[0]},
    )


def test_a_label_never_crosses_organisations(session):
    org, _ = make_shop(session, "shop", 1)
    _, foreign = make_shop(session, "other", 1)
    vip = store.create_label(session, org, "VIP", "#6366f1")
    with pytest.raises(DBAPIError, match="its own organisation"), session.begin_nested():
        session.execute(
            text("INSERT INTO conversation_labels VALUES (:c, :l)"), {"c": foreign[0], "l": vip}
        )
    assert store.apply_label(session, org, vip, foreign) == []
    with pytest.raises(NotFound):
        store.apply_label(session, "another-org", vip, foreign)


def test_two_apps_labelling_one_conversation_at_once_both_reach_the_array(engine):
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        org, ids = make_shop(session, "shop", 2)
        vip = store.create_label(session, org, "VIP", "#6366f1")
        refund = store.create_label(session, org, "Refund", "#6366f1")
    failures: list[BaseException] = []

    def second_app() -> None:
        try:
            with unit_of_work(sessions) as session:
                store.apply_label(session, org, refund, ids)
        except BaseException as error:  # reported below
            failures.append(error)

    with unit_of_work(sessions) as first:
        store.apply_label(first, org, vip, list(reversed(ids)))
        racer = threading.Thread(target=second_app)
        racer.start()
        _wait_until_blocked(engine)
    racer.join(timeout=10)
    assert failures == []
    with engine.connect() as connection:
        assert disagreements(connection) == []
        arrays = dict(connection.execute(text("SELECT id, labels FROM conversations")).all())
    assert arrays == {ids[0]: ["Refund", "VIP"], ids[1]: ["Refund", "VIP"]}


def test_deleting_a_label_conversation_or_organisation_takes_its_links(session):
    org, ids = make_shop(session, "shop", 3)
    vip = store.create_label(session, org, "VIP", "#6366f1")
    refund = store.create_label(session, org, "Refund", "#6366f1")
    store.apply_label(session, org, vip, ids)
    store.apply_label(session, org, refund, ids)

    def links() -> int:
        return int(session.execute(text("SELECT count(*) FROM conversation_labels")).scalar_one())

    session.execute(text("DELETE FROM conversations WHERE id = :i"), {"i": ids[0]})
    assert links() == 4
    store.delete_label(session, org, refund)
    assert links() == 2
    assert disagreements(session) == []
    assert session.execute(text("SELECT count(*) FROM conversations")).scalar() == 2
    session.execute(text("DELETE FROM organizations WHERE id = :o"), {"o": org})
    assert links() == 0
    assert session.execute(text("SELECT count(*) FROM labels")).scalar() == 0


def test_a_label_view_pages_by_keyset_in_inbox_order(session):
    org, ids = make_shop(session, "shop", 250)
    vip = store.create_label(session, org, "VIP", "#6366f1")
    other = store.create_label(session, org, "Other", "#6366f1")
    labelled = ids[::3]
    store.apply_label(session, org, vip, labelled)
    store.apply_label(session, org, other, ids[1::3])
    # Archived conversations stay out of a label's view, as out of All.
    session.execute(
        text("UPDATE conversations SET status = 'ARCHIVED' WHERE id = :i"), {"i": labelled[5]}
    )
    expected = [i for i in labelled if i != labelled[5]]
    query = InboxQuery(label_id=vip)
    seen: list[str] = []
    after = None
    while True:
        page = inbox.inbox_page(session, org, query, after=after, limit=17)
        seen += [row.id for row in page]
        if len(page) < 17:
            break
        after = page[-1].position
    assert seen == expected
    assert all("VIP" in row.labels for row in inbox.inbox_page(session, org, query, limit=5))
    assert inbox.matches(session, org, query, ids[:7]) == {ids[0], ids[3], ids[6]}
    searched = inbox.inbox_page(session, org, InboxQuery(label_id=vip, search="Customer 3"))
    assert {row.id for row in searched} <= set(expected) and ids[3] in {r.id for r in searched}
    assert [label.conversations for label in store.list_labels(session, org)] == [83, 83]
    session.execute(
        text("UPDATE conversations SET status = :s WHERE id = :i"),
        {"s": ConversationStatus.OPEN.value, "i": labelled[5]},
    )
    assert store.list_labels(session, org)[1].conversations == 84


def _labels_at_0005(session, organization_id: str) -> set[tuple[str, str]]:
    """Names and colours by plain SQL: the app's label counts read a column of a
    later migration (snooze, 0028)."""
    rows = session.execute(
        text("SELECT name, color FROM labels WHERE organization_id = :o"), {"o": organization_id}
    )
    return {(name, color) for name, color in rows}


def test_moving_existing_array_values_into_the_tables(empty_database, tmp_path):
    """Arrays written before 0005 become labels (one per name per organisation,
    case and stray spaces aside), links, and arrays rewritten from the tables."""
    from alembic import command
    from alembic.config import Config

    from snorq_desktop.store.database import create_database_engine
    from snorq_desktop.store.migrate import migrations_directory

    engine = create_database_engine(empty_database)
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        # Plain SQL: the app's models know columns of later migrations.
        org, ids = old_shop(session, "shop", 5)
        other, other_ids = old_shop(session, "other", 1)
        for conversation, labels in {
            ids[0]: ["VIP", "Refund"],
            ids[1]: ["vip", " refund  ", "VIP"],
            ids[2]: ["vip", "", None, "Wholesale   order"],
            ids[3]: None,
            other_ids[0]: ["vip"],
        }.items():
            session.execute(
                text("UPDATE conversations SET labels = :l WHERE id = :i"),
                {"l": labels, "i": conversation},
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    with sessions() as session:
        assert disagreements(session) == []
        # "VIP" twice against "vip" twice: the tie goes to the first in order.
        assert _labels_at_0005(session, org) == {
            ("VIP", "#6366f1"),
            ("Refund", "#6366f1"),
            ("Wholesale order", "#6366f1"),
        }
        assert _labels_at_0005(session, other) == {("vip", "#6366f1")}
        arrays: dict[str, list[str]] = dict(
            session.execute(text("SELECT id, labels FROM conversations")).all()
        )
        assert arrays[ids[0]] == ["Refund", "VIP"]
        assert arrays[ids[1]] == ["Refund", "VIP"]
        assert arrays[ids[2]] == ["VIP", "Wholesale order"]
        assert arrays[ids[3]] == [] and arrays[ids[4]] == []
        assert arrays[other_ids[0]] == ["vip"]
    # Down to 0004 the arrays keep every name; up again, the same labels come back.
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        assert connection.execute(text("SELECT to_regclass('labels')")).scalar() is None
        rows = connection.execute(text("SELECT id, labels FROM conversations")).all()
        after_downgrade: dict[str, list[str]] = {row[0]: row[1] for row in rows}
    assert after_downgrade == arrays
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    with sessions() as session:
        assert {name for name, _ in _labels_at_0005(session, org)} == {
            "VIP",
            "Refund",
            "Wholesale order",
        }
        assert disagreements(session) == []
    engine.dispose()


def test_a_label_deleted_while_a_teammate_applies_it_leaves_no_trace(engine):
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        org, ids = make_shop(session, "shop", 5)
        vip = store.create_label(session, org, "VIP", "#6366f1")
    failures: list[BaseException] = []

    def teammate_deletes() -> None:
        try:
            with unit_of_work(sessions) as session:
                store.delete_label(session, org, vip)
        except BaseException as error:  # reported below
            failures.append(error)

    with unit_of_work(sessions) as first:
        assert len(store.apply_label(first, org, vip, ids)) == 5
        racer = threading.Thread(target=teammate_deletes)
        racer.start()
        _wait_until_blocked(engine)  # the delete waits for our links to commit
    racer.join(timeout=10)
    assert failures == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM conversation_labels")).scalar() == 0
        assert disagreements(connection) == []
        assert (
            connection.execute(
                text("SELECT count(*) FROM conversations WHERE cardinality(labels) > 0")
            ).scalar()
            == 0
        )
