"""Moving the built-in data into a team database: two real databases on the
test server, counts checked, nothing half-way on any failure."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.demo.shop import seed_demo
from snorq_desktop.domain.enums import PlanType
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store import transfer
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.transfer import TransferRefused, move_everything, tables_in_order
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.conftest import create_database, drop_database


@pytest.fixture
def team_engine(server_url, template_database):
    name = f"snorq_team_{secrets.token_hex(4)}"
    url = create_database(server_url, name, template=template_database)
    engine = create_database_engine(url)
    yield engine
    engine.dispose()
    drop_database(server_url, name)


@pytest.fixture
def built_in(engine):
    seed_demo(session_factory(engine), now=datetime.now(UTC) - timedelta(minutes=1))
    return engine


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(
                text(f'SELECT count(*) FROM "{table.name}"')
            ).scalar_one()
            for table in tables_in_order()
        }


def indexes(engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        )
        return {(name, definition) for name, definition in rows}


def test_every_table_is_copied_and_counted(built_in, team_engine):
    before = counts(built_in)
    indexes_before = indexes(team_engine)
    seen: list[tuple[int, int]] = []

    report = move_everything(built_in, team_engine, lambda done, total: seen.append((done, total)))

    assert counts(team_engine) == before
    # indexes set aside for the load are all back, exactly as they were
    assert indexes(team_engine) == indexes_before
    assert {c.table: c.source_rows for c in report.tables} == before
    assert all(c.agrees for c in report.tables)
    assert report.rows == sum(before.values()) > 0
    assert seen[-1] == (report.rows, report.rows)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    query = "SELECT id, content, status, platform_timestamp FROM messages ORDER BY id"
    with built_in.connect() as a, team_engine.connect() as b:
        assert a.execute(text(query)).all() == b.execute(text(query)).all()
        labels = "SELECT id, labels, platform FROM conversations ORDER BY id"
        assert a.execute(text(labels)).all() == b.execute(text(labels)).all()


def test_a_failure_midway_leaves_the_team_database_as_it_was(built_in, team_engine, monkeypatch):
    monkeypatch.setattr(transfer, "BATCH_ROWS", 7)  # many batches, so "midway" is real
    empty = counts(team_engine)
    indexes_before = indexes(team_engine)

    def fail_midway(done: int, total: int) -> None:
        if done > total // 2:
            raise RuntimeError("the network went away")

    with pytest.raises(RuntimeError):
        move_everything(built_in, team_engine, fail_midway)

    assert counts(team_engine) == empty
    assert indexes(team_engine) == indexes_before
    # and it can simply be started again
    report = move_everything(built_in, team_engine)
    assert all(c.agrees for c in report.tables)
    assert counts(team_engine) == counts(built_in)


def test_small_batches_copy_exactly_the_same_rows(built_in, team_engine, monkeypatch):
    monkeypatch.setattr(transfer, "BATCH_ROWS", 3)
    report = move_everything(built_in, team_engine)
    assert counts(team_engine) == counts(built_in)
    assert all(c.agrees for c in report.tables)


def test_the_same_person_already_there_is_refused_and_nothing_written(built_in, team_engine):
    with built_in.connect() as connection:
        email = connection.execute(text("SELECT email FROM users LIMIT 1")).scalar_one()
    with unit_of_work(session_factory(team_engine)) as session:
        orgs.create_user(session, email=email, name="Someone else's record")
    before = counts(team_engine)

    with pytest.raises(TransferRefused) as refused:
        move_everything(built_in, team_engine)

    assert email in refused.value.sentence
    assert "never" in refused.value.sentence
    assert counts(team_engine) == before


def test_moving_twice_says_it_is_already_there(built_in, team_engine):
    move_everything(built_in, team_engine)
    with pytest.raises(TransferRefused, match="already holds this data"):
        move_everything(built_in, team_engine)


def test_another_shop_on_the_team_database_is_left_alone(built_in, team_engine):
    with unit_of_work(session_factory(team_engine)) as session:
        owner = orgs.create_user(session, email="other@example.com", name="Other")
        orgs.create_organization(
            session, owner_id=owner, name="Other shop", slug="other", plan=PlanType.FREE
        )
    before = counts(team_engine)

    report = move_everything(built_in, team_engine)

    grown = {c.table: c.target_growth for c in report.tables}
    after = counts(team_engine)
    assert {name: after[name] - before[name] for name in after} == grown
    assert grown == counts(built_in)


def test_a_team_database_without_the_schema_is_refused(built_in, empty_database):
    target = create_database_engine(empty_database)
    try:
        with pytest.raises(TransferRefused, match="not ready"):
            move_everything(built_in, target)
    finally:
        target.dispose()


def test_nothing_to_move_is_said(engine, team_engine):
    with pytest.raises(TransferRefused, match="nothing to move"):
        move_everything(engine, team_engine)
