"""Where a team's shared PostgreSQL database is, as the user types it in.

Checked here, before anything connects, so each mistake gets its own sentence:
a certificate check without a root certificate is refused here rather than
left to the driver's paragraph about ``~/.postgresql/root.crt``.
"""

import os
from dataclasses import dataclass, replace
from enum import StrEnum

from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.tokens import SecretToken


class InvalidTeamDatabase(KnownError):
    """The team database form has a mistake the user can fix."""


class SslMode(StrEnum):
    """libpq's sslmode values, weakest first."""

    DISABLE = "disable"
    PREFER = "prefer"
    REQUIRE = "require"
    VERIFY_CA = "verify-ca"
    VERIFY_FULL = "verify-full"

    @property
    def checks_certificate(self) -> bool:
        return self in (SslMode.VERIFY_CA, SslMode.VERIFY_FULL)


SSL_MODE_TITLES = {
    SslMode.DISABLE: "disable: no encryption (only on a trusted network)",
    SslMode.PREFER: "prefer: encrypt when the server offers it",
    SslMode.REQUIRE: "require: always encrypt, trust any certificate",
    SslMode.VERIFY_CA: "verify-ca: encrypt, certificate signed by my root",
    SslMode.VERIFY_FULL: "verify-full: encrypt, certificate signed by my root and for this host",
}


@dataclass(frozen=True)
class TeamDatabase:
    host: str
    port: int
    database: str
    user: str
    password: SecretToken | None
    sslmode: SslMode = SslMode.PREFER
    root_certificate: str | None = None  # a file path; only for verify-ca / verify-full

    def checked(self) -> "TeamDatabase":
        """This address with blanks trimmed, or :class:`InvalidTeamDatabase`."""
        tidy = replace(
            self,
            host=self.host.strip(),
            database=self.database.strip(),
            user=self.user.strip(),
            root_certificate=(self.root_certificate or "").strip() or None,
        )
        if not tidy.host:
            raise InvalidTeamDatabase("Enter the database server's host name or address.")
        if not 1 <= tidy.port <= 65535:
            raise InvalidTeamDatabase("The port is a number from 1 to 65535 (usually 5432).")
        if not tidy.database:
            raise InvalidTeamDatabase("Enter the name of the database on that server.")
        if not tidy.user:
            raise InvalidTeamDatabase("Enter the user name to log in to the database with.")
        if tidy.sslmode.checks_certificate:
            if tidy.root_certificate is None:
                raise InvalidTeamDatabase(
                    f"{tidy.sslmode.value} checks the server's certificate against a root "
                    "certificate: choose the root certificate file your database provider gives."
                )
            if not os.path.isfile(tidy.root_certificate):
                raise InvalidTeamDatabase(
                    f"The root certificate file {tidy.root_certificate} does not exist."
                )
        elif tidy.root_certificate is not None:
            tidy = replace(tidy, root_certificate=None)  # only verify-* read it
        return tidy

    @property
    def where(self) -> str:
        """For messages: never the password."""
        return f"{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class TableCount:
    table: str
    source_rows: int  # in the source's snapshot
    copied_rows: int  # what the target's COPY reported
    target_growth: int  # target rows after minus before

    @property
    def agrees(self) -> bool:
        return self.source_rows == self.copied_rows == self.target_growth


@dataclass(frozen=True)
class TransferReport:
    tables: tuple[TableCount, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(table.copied_rows for table in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float(self.rows)
