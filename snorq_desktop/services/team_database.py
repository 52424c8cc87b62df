"""The team database page's operations: test, migrate, move the built-in data
there, and use it.  Each runs on the caller's thread (a worker of the page's
own, so a long move never holds up the inbox) and speaks in sentences."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from snorq_desktop.domain.errors import DatabaseUnavailable, KnownError
from snorq_desktop.domain.team_database import SslMode, TeamDatabase, TransferReport
from snorq_desktop.store.database import connect_checked
from snorq_desktop.store.migrate import SchemaStatus, schema_status, upgrade_schema
from snorq_desktop.store.team_address import team_database_url
from snorq_desktop.store.transfer import Progress, move_everything

# What the composition root does to make the app use a team database from now
# on: settings without the password, the password in the keychain.
Remember = Callable[[TeamDatabase], None]


@dataclass(frozen=True)
class ConnectionCheck:
    server_version: str
    schema: SchemaStatus
    encrypted: bool = True  # what the server and libpq agreed, not what was asked
    sslmode: SslMode = SslMode.PREFER

    @property
    def _plain_text(self) -> str:
        """Why this connection is not encrypted, so the person can fix it."""
        if self.encrypted:
            return ""
        if self.sslmode is SslMode.DISABLE:
            return " without encryption (disable: only on a trusted network)"
        return (
            " without encryption, because the server offers none and prefer then falls back "
            "to plain text (turn on ssl on the server, then choose require or stronger)"
        )

    @property
    def sentence(self) -> str:
        schema = self.schema
        if schema.newer_than_app:
            state = (
                f"its schema ({schema.current}) is newer than this app's: update SNORQ Desktop "
                "before using it"
            )
        elif schema.current is None:
            state = "it is empty: press Migrate to set it up"
        elif not schema.up_to_date:
            state = f"its schema needs {len(schema.pending)} upgrade(s): press Migrate"
        else:
            state = "its schema is up to date"
        return f"Connected to PostgreSQL {self.server_version}{self._plain_text}; {state}."


class TeamDatabaseService:
    def __init__(
        self,
        built_in: Engine | None,
        remember: Remember,
        can_remember: Callable[[], object] = lambda: None,
    ) -> None:
        """``built_in``: the database the app runs on now, whose data a move copies
        (None when the app already runs on a team database).  ``can_remember``
        raises the sentence that says why the address could not be kept (no
        keychain for the password), so a move does not start that cannot end."""
        self._built_in = built_in
        self._remember = remember
        self._can_remember = can_remember

    @property
    def can_move(self) -> bool:
        return self._built_in is not None

    @contextmanager
    def _engine(self, address: TeamDatabase) -> Iterator[Engine]:
        checked = address.checked()
        url = team_database_url(checked)
        engine = connect_checked(url)
        try:
            yield engine
        except (psycopg.OperationalError, OperationalError):
            # The team database went away mid-way: say so, not the inbox's
            # "reconnecting…" (a move is one transaction: nothing was kept).
            raise DatabaseUnavailable(
                f"The team database at {checked.where} stopped answering part-way; nothing "
                "was kept there. Try again once it is back."
            ) from None
        finally:
            engine.dispose()

    def test_connection(self, address: TeamDatabase) -> ConnectionCheck:
        with self._engine(address) as engine:
            with engine.connect() as connection:
                version = str(connection.execute(text("SHOW server_version")).scalar_one())
                encrypted = connection.execute(
                    text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                ).scalar_one_or_none()
            return ConnectionCheck(
                version.split(" ")[0],
                schema_status(engine),
                encrypted=bool(encrypted),
                sslmode=address.sslmode,
            )

    def migrate(self, address: TeamDatabase) -> SchemaStatus:
        """Bring the team database's schema up to this app's; refuses a newer one."""
        with self._engine(address) as engine:
            return upgrade_schema(engine)

    def move_here(self, address: TeamDatabase, progress: Progress | None = None) -> TransferReport:
        """Copy the built-in database into the team database, then use it."""
        if self._built_in is None:
            raise KnownError(
                "SNORQ Desktop already works on a team database: there is no built-in data to move."
            )
        checked = address.checked()
        self._can_remember()
        with self._engine(checked) as engine:
            report = move_everything(self._built_in, engine, progress)
        self._remember(checked)
        return report

    def use(self, address: TeamDatabase) -> ConnectionCheck:
        """Use this database from the next start (it must be ready for this app)."""
        checked = address.checked()
        found = self.test_connection(checked)
        if not found.schema.up_to_date:
            raise KnownError(f"The team database is not ready for this app: {found.sentence}")
        self._remember(checked)
        return found
