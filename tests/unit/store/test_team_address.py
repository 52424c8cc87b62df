"""A team database form as a connection URL and back."""

from snorq_desktop.domain.team_database import SslMode, TeamDatabase
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.store.team_address import team_database_from_url, team_database_url


def _address(**changes: object) -> TeamDatabase:
    fields: dict[str, object] = {
        "host": "db.example.com",
        "port": 6543,
        "database": "shop",
        "user": "maya",
        "password": SecretToken("s3cret"),
        "sslmode": SslMode.REQUIRE,
        "root_certificate": None,
    }
    fields.update(changes)
    return TeamDatabase(**fields)  # type: ignore[arg-type]


def test_the_form_round_trips_through_its_url():
    address = _address(root_certificate="/etc/ssl/team.pem")
    url = team_database_url(address)
    assert url.query == {"sslmode": "require", "sslrootcert": "/etc/ssl/team.pem"}
    back = team_database_from_url(url)
    assert back.password is not None and back.password.reveal() == "s3cret"
    assert (back.host, back.port, back.database, back.user, back.sslmode) == (
        "db.example.com",
        6543,
        "shop",
        "maya",
        SslMode.REQUIRE,
    )
    assert back.root_certificate == "/etc/ssl/team.pem"


def test_the_saved_url_leaves_the_password_out():
    url = team_database_url(_address(), with_password=False)
    assert url.password is None
    assert team_database_from_url(url).password is None


def test_an_unknown_sslmode_in_a_saved_url_reads_as_prefer():
    url = team_database_url(_address()).update_query_dict({"sslmode": "sometimes"})
    assert team_database_from_url(url).sslmode is SslMode.PREFER
