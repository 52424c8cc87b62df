"""Migrations run by the app itself, and the check that keeps an old app off a new schema."""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from snorq_desktop.domain.errors import SchemaNotReady, SchemaTooNew

# Two apps of one team upgrading the same database at once take turns.
_MIGRATION_LOCK = 0x534E_4F52_5100  # "SNORQ\0"


def migrations_directory() -> Path:
    """Inside an installed wheel or bundle, or beside the package in a source tree."""
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "migrations", package_dir.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(f"no migrations beside {package_dir}")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    return config


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None  # None: never migrated
    head: str
    known: bool  # the current revision is one this app has
    pending: tuple[str, ...]  # revisions `db upgrade` would apply, oldest first

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def newer_than_app(self) -> bool:
        return self.current is not None and not self.known


def _status(connection: Connection) -> SchemaStatus:
    scripts = ScriptDirectory.from_config(_config())
    head = scripts.get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    current = MigrationContext.configure(connection).get_current_revision()
    known_ids = {revision.revision for revision in scripts.walk_revisions()}
    known = current is None or current in known_ids
    pending: tuple[str, ...] = ()
    if known:
        pending = tuple(
            revision.revision
            for revision in reversed(list(scripts.iterate_revisions(head, current or "base")))
        )
    return SchemaStatus(current=current, head=head, known=known, pending=pending)


def schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as connection:
        return _status(connection)


def _too_new(status: SchemaStatus) -> SchemaTooNew:
    return SchemaTooNew(
        f"This database was upgraded by a newer SNORQ Desktop (schema {status.current}); "
        f"this app knows schemas up to {status.head} and will not write to it. "
        "Update SNORQ Desktop."
    )


def upgrade_schema(engine: Engine) -> SchemaStatus:
    """Bring the schema to this app's head; refuse a schema newer than the app."""
    # One transaction holds the lock and every migration (Alembic runs them in the
    # transaction it is given), so two apps upgrading at once take turns, and the
    # lock ends with the transaction: nothing stays on a pooler's server connection.
    with engine.connect() as connection, connection.begin():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        status = _status(connection)
        if status.newer_than_app:
            raise _too_new(status)
        if not status.up_to_date:
            config = _config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return schema_status(engine)


def require_current_schema(engine: Engine) -> SchemaStatus:
    """Before the app writes anything: the schema must be exactly the one it knows."""
    status = schema_status(engine)
    if status.newer_than_app:
        raise _too_new(status)
    if not status.up_to_date:
        raise SchemaNotReady(
            "This database has not been set up for this version of SNORQ Desktop yet: "
            "run `snorq-desktop db upgrade` with the same database address."
        )
    return status
