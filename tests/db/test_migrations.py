"""Migrations: applied by `db upgrade`, reported by `db status`, and an app never
writes to a schema newer than it knows."""

import subprocess
import sys

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from snorq_desktop.boot.app import open_database
from snorq_desktop.boot.cli import main
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.errors import SchemaNotReady, SchemaTooNew
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.migrate import migrations_directory, shipped_head, upgrade_schema


def _url(url) -> str:
    return url.render_as_string(hide_password=False)


def test_status_shows_what_upgrade_would_apply_then_up_to_date(empty_database, tmp_path, capsys):
    args = ["--home", str(tmp_path), "--database-url", _url(empty_database), "db"]
    assert main([*args, "status"]) == 0
    out = capsys.readouterr().out
    assert "empty (never migrated)" in out
    assert "db upgrade" in out
    assert main([*args, "upgrade"]) == 0
    assert main([*args, "status"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_a_team_database_is_not_migrated_behind_the_teams_back(empty_database, tmp_path):
    settings = Settings(database_url=_url(empty_database))
    with (
        pytest.raises(SchemaNotReady, match="db upgrade"),
        open_database(settings, AppPaths.resolve(tmp_path), migrate=False),
    ):
        pass


def test_a_schema_newer_than_the_app_is_refused(database_url, tmp_path, capsys):
    engine = create_database_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    args = ["--home", str(tmp_path), "--database-url", _url(database_url), "db"]
    assert main([*args, "upgrade"]) == 1
    assert "newer SNORQ Desktop" in capsys.readouterr().err
    assert main([*args, "status"]) == 1
    assert "newer than this app" in capsys.readouterr().out
    with (
        pytest.raises(SchemaTooNew),
        open_database(
            Settings(database_url=_url(database_url)), AppPaths.resolve(tmp_path), migrate=False
        ),
    ):
        pass
    with pytest.raises(SchemaTooNew):
        upgrade_schema(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "9999_from_the_future"
        )
    engine.dispose()


def test_models_and_migrations_agree(database_url):
    """What `alembic check` does in CI, kept here too so a drift fails the tests."""
    engine = create_database_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.check(config)
    engine.dispose()


def test_every_migration_downgrades_to_nothing_and_up_again(database_url):
    engine = create_database_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        connection.commit()
        leftovers = connection.execute(
            text(
                "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = 'public' AND t.typtype = 'e'"
            )
        ).scalar()
        assert leftovers == 0
    upgrade_schema(engine)
    engine.dispose()


def test_two_apps_upgrading_at_once_take_turns(empty_database):
    url = _url(empty_database)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "snorq_desktop", "--database-url", url, "db", "upgrade"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results


def test_the_head_read_from_the_files_is_alembics():
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    assert shipped_head() == ScriptDirectory.from_config(config).get_current_head()


def test_a_start_on_an_up_to_date_database_never_loads_alembic(database_url):
    """Alembic and Mako cost 10 MB for the life of the window: only a database
    behind the app's head loads them."""
    check = (
        "import sys\n"
        "from sqlalchemy.engine import make_url\n"
        "from snorq_desktop.store.database import create_database_engine\n"
        "from snorq_desktop.store.migrate import require_current_schema, upgrade_schema\n"
        "engine = create_database_engine(make_url(sys.argv[1]))\n"
        "assert require_current_schema(engine).up_to_date\n"
        "assert upgrade_schema(engine).up_to_date\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check, _url(database_url)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout
