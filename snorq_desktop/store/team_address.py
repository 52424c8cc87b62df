"""A team database form as a connection URL, and back (without the password)."""

from sqlalchemy.engine import URL

from snorq_desktop.domain.team_database import SslMode, TeamDatabase
from snorq_desktop.domain.tokens import SecretToken


def team_database_url(address: TeamDatabase, *, with_password: bool = True) -> URL:
    """The psycopg URL for ``address``; sslmode and the root certificate go to libpq."""
    query: dict[str, str] = {"sslmode": address.sslmode.value}
    if address.root_certificate:
        query["sslrootcert"] = address.root_certificate
    password = address.password.reveal() if with_password and address.password else None
    return URL.create(
        "postgresql+psycopg",
        username=address.user,
        password=password,
        host=address.host,
        port=address.port,
        database=address.database,
        query=query,
    )


def team_database_from_url(url: URL) -> TeamDatabase:
    """The form's fields from a configured URL (to show what is set now)."""
    query = {key: value if isinstance(value, str) else value[0] for key, value in url.query.items()}
    try:
        mode = SslMode(query.get("sslmode", SslMode.PREFER.value))
    except ValueError:
        mode = SslMode.PREFER
    return TeamDatabase(
        host=url.host or "localhost",
        port=url.port or 5432,
        database=url.database or "",
        user=url.username or "",
        password=SecretToken(url.password) if url.password else None,
        sslmode=mode,
        root_certificate=query.get("sslrootcert"),
    )
