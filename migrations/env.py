"""Alembic environment: the app passes an open connection; developers use SNORQ_DATABASE_URL."""

import os

from alembic import context
from sqlalchemy import Connection

from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


def _migrate(connection: Connection) -> None:
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
