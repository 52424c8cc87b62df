"""`db upgrade` as a managed Postgres's administrator (RDS, Cloud SQL, Supabase…):
a login with CREATEROLE that owns the database's `public` schema, not a superuser,
which is what docs/team.md tells a shop to use."""

import secrets

import psycopg
from psycopg import sql

from snorq_desktop.boot.cli import main
from snorq_desktop.store.migrate import shipped_head
from tests.conftest import drop_database


def test_an_administrator_who_is_no_superuser_upgrades_a_new_database(
    server_url, empty_database, tmp_path, capsys
):
    """0013 handed the tables to snorq_owner before giving it CREATE on the
    schema; only a superuser could do that ("permission denied for schema public")."""
    admin, password = f"snorq_test_admin_{secrets.token_hex(4)}", secrets.token_hex(12)
    superuser = empty_database.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(superuser, autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(admin), sql.Literal(password)
            )
        )
        connection.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(empty_database.database), sql.Identifier(admin)
            )
        )
        connection.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(admin)))
    url = empty_database.set(drivername="postgresql", username=admin, password=password)
    try:
        arguments = ["--home", str(tmp_path), "--database-url"]
        arguments += [url.render_as_string(hide_password=False), "db", "upgrade"]
        assert main(arguments) == 0, capsys.readouterr().err
        with psycopg.connect(superuser) as connection:
            assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
                (shipped_head(),)
            ]
            assert connection.execute(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'messages'"
            ).fetchall() == [("snorq_owner",)]
    finally:
        drop_database(server_url, empty_database.database)
        server = empty_database.set(drivername="postgresql", database="postgres")
        with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(admin)))


def test_a_login_that_may_not_change_the_schema_is_told_so_in_one_sentence(
    server_url, empty_database, tmp_path, capsys
):
    """It ended in "an unexpected error stopped this command" and a traceback in the log."""
    login, password = f"snorq_test_plain_{secrets.token_hex(4)}", secrets.token_hex(12)
    superuser = empty_database.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(superuser, autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(login), sql.Literal(password)
            )
        )
    url = empty_database.set(drivername="postgresql", username=login, password=password)
    try:
        arguments = ["--home", str(tmp_path), "--database-url"]
        arguments += [url.render_as_string(hide_password=False), "db", "upgrade"]
        assert main(arguments) == 1
        error = capsys.readouterr().err
        assert error.startswith(f"snorq-desktop: The database login {login} may not change")
        assert "permission denied for schema public" in error
        assert "Nothing was changed." in error and "unexpected" not in error
        with psycopg.connect(superuser) as connection:
            assert connection.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone() == (0,)
    finally:
        drop_database(server_url, empty_database.database)
        server = empty_database.set(drivername="postgresql", database="postgres")
        with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))
