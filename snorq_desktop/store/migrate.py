"""Migrations run by the app itself, and the check that keeps an old app off a new schema.

Alembic (and Mako under it: 10 MB of memory for the life of the app) is loaded
only when a database is not already at this app's own head revision, which
every start checks with one query; the head is read from the revision files.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from psycopg.errors import InsufficientPrivilege
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import ProgrammingError

from snorq_desktop.domain.errors import KnownError, SchemaNotReady, SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config

# Two apps of one team upgrading the same database at once take turns.
_MIGRATION_LOCK = 0x534E_4F52_5100  # "SNORQ\0"


def migrations_directory() -> Path:
    """Inside an installed wheel or bundle, or beside the package in a source tree."""
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "migrations", package_dir.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(f"no migrations beside {package_dir}")


def _config() -> "Config":
    from alembic.config import Config

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


_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"^down_revision(?:: [^=]+)? = (?:None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE
)


@cache
def shipped_head() -> str | None:
    """The newest revision among this app's migration files, read as text (the
    one no other file names as its parent); None when the files are not one plain
    line (a merge, an unusual header): then Alembic itself is asked."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (migrations_directory() / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, parent = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or parent is None:
            return None
        revisions.add(revision.group(1))
        if parent.group(1):
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_shipped_head(connection: Connection) -> SchemaStatus | None:
    """The status without Alembic when the database is exactly at this app's head."""
    head = shipped_head()
    if head is None:
        return None
    current = None
    if connection.execute(text("SELECT to_regclass('alembic_version')")).scalar() is not None:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    connection.rollback()  # the caller's connection as it was: no transaction open
    if current != head:
        return None
    return SchemaStatus(current=current, head=head, known=True, pending=())


def _status(connection: Connection) -> SchemaStatus:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

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
        return _at_shipped_head(connection) or _status(connection)


def _too_new(status: SchemaStatus) -> SchemaTooNew:
    return SchemaTooNew(
        f"This database was upgraded by a newer SNORQ Desktop (schema {status.current}); "
        f"this app knows schemas up to {status.head} and will not write to it. "
        "Update SNORQ Desktop."
    )


def upgrade_schema(engine: Engine) -> SchemaStatus:
    """Bring the schema to this app's head; refuse a schema newer than the app."""
    with engine.connect() as connection:
        if (status := _at_shipped_head(connection)) is not None:
            return status  # nothing to do (the common case: every start)
    # One transaction holds the lock and every migration (Alembic runs them in the
    # transaction it is given), so two apps upgrading at once take turns, and the
    # lock ends with the transaction: nothing stays on a pooler's server connection.
    with engine.connect() as connection, connection.begin():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        status = _status(connection)
        if status.newer_than_app:
            raise _too_new(status)
        if not status.up_to_date:
            from alembic import command  # only when there is work: Alembic is 10 MB

            config = _config()
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
            except ProgrammingError as error:
                if not isinstance(error.orig, InsufficientPrivilege):
                    raise
                raise KnownError(
                    f"The database login {engine.url.username} may not change this "
                    f"database's schema ({str(error.orig).strip()}): run `snorq-desktop db "
                    "upgrade` as the administrator who owns the database and its public "
                    "schema. Nothing was changed."
                ) from None
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
