"""Alembic environment: the app passes an open connection; developers use SNORQ_DATABASE_URL."""

import os

from alembic import context
from sqlalchemy import Connection, text

from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


# Once the schema belongs to the owner role (migration 0013), every migration
# runs as that role, so what it creates belongs to it and no app's login.
_OWNED_BY_OWNER_ROLE = """
SELECT pg_has_role(current_user, 'snorq_owner', 'MEMBER') FROM pg_tables
 WHERE schemaname = current_schema() AND tablename = 'alembic_version'
   AND tableowner = 'snorq_owner'
"""


def _migrate(connection: Connection) -> None:
    as_owner = bool(connection.execute(text(_OWNED_BY_OWNER_ROLE)).scalar())
    if as_owner:
        connection.execute(text("SET ROLE snorq_owner"))
    _run(connection)
    if as_owner:  # a failed migration's rollback undoes the SET ROLE itself
        connection.execute(text("RESET ROLE"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _migrate(given)
else:
    raw_url = os.environ.get("SNORQ_DATABASE_URL")
    if not raw_url:
        raise SystemExit("Set SNORQ_DATABASE_URL to the database to compare or migrate.")
    engine = create_database_engine(parse_database_url(raw_url))
    with engine.begin() as connection:
        _migrate(connection)
    engine.dispose()
