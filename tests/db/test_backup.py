"""Backup and restore with pg_dump / pg_restore: a backup restored into an empty
database equals the original, table by table; a restore never silently replaces
newer data; failures change nothing."""

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import PlanType, Platform
from snorq_desktop.domain.errors import BackupFailed
from snorq_desktop.store import backup
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.sync.maintenance import roll_up
from tests.history import History
from tests.shop import invited_login

NOW = datetime.now(UTC)


def fingerprint(engine) -> dict[str, tuple[int, str]]:
    """Every table's row count and the md5 of its rows in id order."""
    with engine.connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ).scalars()
        found = {}
        for table in list(tables):
            found[table] = tuple(
                connection.execute(
                    text(
                        "SELECT count(*), md5(COALESCE(string_agg(t::text, '|' "
                        f"ORDER BY t::text), '')) FROM \"{table}\" t"
                    )
                ).one()
            )
    return found


@pytest.fixture
def filled(engine):
    history = History.shop(engine, PlanType.PRO)
    for n in range(30):
        chat = history.conversation(NOW - timedelta(days=n), [*Platform][n % 3])
        history.message(chat, "INBOUND", NOW - timedelta(days=n, hours=1), content=f"hé {n} ✓")
        history.message(chat, "OUTBOUND", NOW - timedelta(days=n, minutes=20))
    history.sql(
        "INSERT INTO webhook_events (id, source, dedupe_key, body) "
        "VALUES ('w1', 'meta', 'k', '\\x00ff')"
    )
    roll_up(session_factory(engine))
    return history


def test_a_backup_restored_into_an_empty_database_equals_the_original(
    engine, filled, database_url, empty_database, tmp_path
):
    archive = tmp_path / "shop.snorq-backup"
    steps: list[tuple[float, str]] = []
    manifest = backup.back_up(database_url, archive, lambda f, what: steps.append((f, what)))

    assert archive.is_file() and backup.Manifest.path_for(archive).is_file()
    assert manifest.tables["messages"] == 60 and manifest.schema is not None
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("messages" in what for _, what in steps)

    restored_steps: list[float] = []
    result = backup.restore(empty_database, archive, lambda f, _: restored_steps.append(f))

    assert result.tables == manifest.tables
    assert restored_steps[-1] == 1.0 and len(restored_steps) > 10
    restored = create_database_engine(empty_database)
    try:
        assert fingerprint(restored) == fingerprint(engine)
    finally:
        restored.dispose()


def test_a_restore_over_newer_messages_is_refused_until_confirmed(
    engine, filled, database_url, tmp_path
):
    archive = tmp_path / "shop.snorq-backup"
    backup.back_up(database_url, archive)
    before = fingerprint(engine)
    chat = filled.conversation()
    filled.message(chat, "INBOUND", NOW + timedelta(minutes=1), content="written after")

    with pytest.raises(backup.RestoreWouldLoseData, match="newer messages than this backup"):
        backup.restore(database_url, archive)
    assert filled.scalar("SELECT count(*) FROM messages") == 61  # nothing changed

    engine.dispose()  # the app lets go of its connections before a restore
    backup.restore(database_url, archive, confirmed=True)
    assert fingerprint(engine) == before


def test_a_restore_into_another_schema_version_is_refused(engine, filled, database_url, tmp_path):
    archive = tmp_path / "shop.snorq-backup"
    backup.back_up(database_url, archive)
    filled.sql("DELETE FROM messages")
    filled.sql("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(backup.BackupFailed, match="schema"):
        backup.restore(database_url, archive)


def test_a_file_that_is_no_backup_and_a_missing_manifest_are_refused(
    engine, database_url, tmp_path
):
    upgrade_schema(engine)
    bogus = tmp_path / "holiday.jpg"
    bogus.write_bytes(b"\xff\xd8 not a database")
    with pytest.raises(backup.BackupFailed, match="manifest"):
        backup.restore(database_url, bogus)
    backup.Manifest.path_for(bogus).write_text(
        '{"format": 1, "made_at": "x", "schema": null, "server_version": "15", '
        '"tables": {}, "newest_message_at": null}'
    )
    with pytest.raises(backup.BackupFailed, match="not a backup"):
        backup.restore(database_url, bogus)


def test_a_failed_restore_changes_nothing(engine, filled, database_url, tmp_path):
    archive = tmp_path / "shop.snorq-backup"
    backup.back_up(database_url, archive)
    filled.sql("DELETE FROM messages")
    # Something of the database's own that the restore cannot drop: it fails mid-way.
    filled.sql("CREATE VIEW busy AS SELECT * FROM messages")
    before = fingerprint(engine)
    engine.dispose()
    with pytest.raises(backup.BackupFailed, match="changed nothing"):
        backup.restore(database_url, archive, confirmed=True)
    assert fingerprint(engine) == before


def _fake_programs(folder, major: int):
    folder.mkdir()
    for name in ("pg_dump", "pg_restore"):
        program = folder / name
        program.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {major}.1'\n")
        program.chmod(program.stat().st_mode | stat.S_IXUSR)


def test_no_backup_programs_or_only_older_ones_get_a_sentence(monkeypatch, tmp_path):
    monkeypatch.setattr(backup, "_candidate_dirs", lambda: [])
    with pytest.raises(backup.BackupFailed, match="none were found"):
        backup.find_client_programs(15)
    _fake_programs(tmp_path / "old", 12)
    _fake_programs(tmp_path / "new", 17)
    monkeypatch.setattr(backup, "_candidate_dirs", lambda: [tmp_path / "old"])
    with pytest.raises(backup.BackupFailed, match="only the backup programs of PostgreSQL 12"):
        backup.find_client_programs(15)
    monkeypatch.setattr(backup, "_candidate_dirs", lambda: [tmp_path / "old", tmp_path / "new"])
    assert backup.find_client_programs(15) == tmp_path / "new"
    assert os.path.basename(backup.find_client_programs(12)) == "old"


def test_a_members_login_is_told_backups_are_the_administrators_and_nothing_is_written(
    engine, filled, tmp_path
):
    """Row-level security shows a member only its organisation: a backup with its
    login would silently lack the rest, so it is refused in one sentence (it
    ended in "Something went wrong"), before any file is made."""
    member = invited_login(engine, filled.organization_id, filled.owner_id)
    archive = tmp_path / "shop.snorq-backup"
    with pytest.raises(BackupFailed) as refused:
        backup.back_up(member.url, archive)
    assert refused.value.sentence == backup.MEMBER_LOGIN_CANNOT
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(BackupFailed, match="administrator login"):
        backup.database_state(member.url)  # what a restore reads first
