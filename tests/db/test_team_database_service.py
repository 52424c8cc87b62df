"""The team database page's operations against the real test server: one
sentence per failure, migrate, and the password kept out of settings.json."""

import json
import socket

import pytest
from sqlalchemy import text

from snorq_desktop.boot.app import open_database, remember_team_database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.errors import DatabaseUnavailable, SchemaTooNew
from snorq_desktop.domain.team_database import InvalidTeamDatabase, SslMode, TeamDatabase
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.services.team_database import TeamDatabaseService
from snorq_desktop.store.database import create_database_engine


def address_of(url, **changes) -> TeamDatabase:
    fields = {
        "host": url.host,
        "port": url.port,
        "database": url.database,
        "user": url.username,
        "password": SecretToken(url.password),
        "sslmode": SslMode.DISABLE,
    }
    fields.update(changes)
    return TeamDatabase(**fields)


@pytest.fixture
def service():
    remembered: list[TeamDatabase] = []
    service = TeamDatabaseService(None, remembered.append)
    service.remembered = remembered  # type: ignore[attr-defined]
    return service


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_wrong_password_is_one_sentence(service, database_url):
    with pytest.raises(DatabaseUnavailable) as failed:
        service.test_connection(address_of(database_url, password=SecretToken("nope")))
    assert failed.value.sentence == (
        f"The database at {database_url.host}:{database_url.port} refused user "
        f"'{database_url.username}': the password is wrong."
    )


def test_a_wrong_port_is_one_sentence(service, database_url):
    port = free_port()
    with pytest.raises(DatabaseUnavailable) as failed:
        service.test_connection(address_of(database_url, port=port))
    assert failed.value.sentence.startswith(f"Nothing accepts connections at 127.0.0.1:{port}")


def test_a_missing_database_is_named(service, database_url):
    with pytest.raises(DatabaseUnavailable, match="There is no database named 'nowhere'"):
        service.test_connection(address_of(database_url, database="nowhere"))


def test_verify_full_without_a_root_certificate_is_refused_before_connecting(service, database_url):
    with pytest.raises(InvalidTeamDatabase) as refused:
        service.test_connection(address_of(database_url, sslmode=SslMode.VERIFY_FULL))
    assert "root certificate" in refused.value.sentence
    with pytest.raises(InvalidTeamDatabase, match="does not exist"):
        service.test_connection(
            address_of(database_url, sslmode=SslMode.VERIFY_CA, root_certificate="/no/such.crt")
        )


def test_verify_full_against_a_server_without_tls_says_the_secure_connection_failed(
    service, database_url, tmp_path
):
    root = tmp_path / "root.crt"
    root.write_text("not used: the server offers no TLS at all\n")
    with pytest.raises(DatabaseUnavailable) as failed:
        service.test_connection(
            address_of(database_url, sslmode=SslMode.VERIFY_FULL, root_certificate=str(root))
        )
    assert failed.value.sentence.startswith("The secure connection to")


def test_blank_fields_are_named(service, database_url):
    with pytest.raises(InvalidTeamDatabase, match="host"):
        service.test_connection(address_of(database_url, host="  "))
    with pytest.raises(InvalidTeamDatabase, match="port"):
        service.test_connection(address_of(database_url, port=0))


def test_an_empty_database_is_migrated_and_a_newer_one_refused(service, empty_database):
    address = address_of(empty_database)
    assert "empty: press Migrate" in service.test_connection(address).sentence

    status = service.migrate(address)

    assert status.up_to_date
    assert "up to date" in service.test_connection(address).sentence
    engine = create_database_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert "newer than this app" in service.test_connection(address).sentence
    with pytest.raises(SchemaTooNew):
        service.migrate(address)
    with pytest.raises(Exception, match="not ready"):
        service.use(address)
    assert service.remembered == []


def test_use_remembers_a_ready_database(service, database_url):
    address = address_of(database_url)
    service.use(address)
    assert service.remembered == [address]


def test_the_password_goes_to_the_keychain_never_to_the_settings(database_url, tmp_path):
    paths = AppPaths.resolve(tmp_path / "home")
    paths.create()
    address = address_of(database_url, sslmode=SslMode.PREFER)

    remember_team_database(Settings(), paths, address)

    raw = paths.settings_file.read_text()
    assert database_url.password not in raw
    saved = Settings.load(paths.settings_file)
    assert saved.database_url is not None
    assert "sslmode=prefer" in saved.database_url
    assert json.loads(raw)["database_url"] == saved.database_url
    with (
        open_database(saved, paths, migrate=False) as database,
        database.engine.connect() as connection,
    ):
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


def test_without_a_keychain_the_password_needs_an_allowed_pass_file(
    database_url, tmp_path, monkeypatch
):
    import keyring.backends.fail

    monkeypatch.setattr("keyring.get_keyring", keyring.backends.fail.Keyring)
    paths = AppPaths.resolve(tmp_path / "home")
    paths.create()
    address = address_of(database_url)
    with pytest.raises(Exception, match="no system keychain"):
        remember_team_database(Settings(), paths, address)
    assert not paths.settings_file.exists()

    remember_team_database(Settings(allow_key_file=True), paths, address)

    assert database_url.password not in paths.settings_file.read_text()
    assert paths.database_pass_file.stat().st_mode & 0o777 == 0o600
    saved = Settings.load(paths.settings_file)
    with (
        open_database(
            Settings(database_url=saved.database_url, allow_key_file=True), paths, migrate=False
        ) as database,
        database.engine.connect() as connection,
    ):
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


def test_a_move_that_could_not_be_kept_does_not_start(engine, database_url):
    from snorq_desktop.domain.errors import KeychainUnavailable

    def no_keychain() -> None:
        raise KeychainUnavailable("This computer has no system keychain.")

    service = TeamDatabaseService(engine, lambda _: None, no_keychain)
    with pytest.raises(KeychainUnavailable):
        service.move_here(address_of(database_url))


def test_the_team_database_going_away_mid_move_is_a_sentence_and_keeps_nothing(
    engine, server_url, template_database
):
    import secrets as random_names

    from snorq_desktop.demo.shop import seed_demo
    from snorq_desktop.store.unit_of_work import session_factory
    from tests.conftest import create_database, drop_database

    seed_demo(session_factory(engine))
    name = f"snorq_team_{random_names.token_hex(4)}"
    team_url = create_database(server_url, name, template=template_database)
    admin = create_database_engine(server_url.set(database="postgres"))
    cut: list[int] = []

    def cut_the_line(done: int, total: int) -> None:
        if not cut:  # the team database's server drops our connection
            with admin.begin() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
            cut.append(done)

    service = TeamDatabaseService(engine, lambda _: None)
    try:
        with pytest.raises(DatabaseUnavailable) as failed:
            service.move_here(address_of(team_url), cut_the_line)
        assert failed.value.sentence == (
            f"The team database at {team_url.host}:{team_url.port}/{name} stopped answering "
            "part-way; nothing was kept there. Try again once it is back."
        )
        team = create_database_engine(team_url)
        with team.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
            assert connection.execute(text("SELECT count(*) FROM messages")).scalar_one() == 0
        team.dispose()
    finally:
        admin.dispose()
        drop_database(server_url, name)
