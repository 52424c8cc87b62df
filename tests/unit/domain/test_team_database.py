"""The team database form's own checks, before anything connects."""

from typing import Any

import pytest

from snorq_desktop.domain.team_database import (
    InvalidTeamDatabase,
    SslMode,
    TableCount,
    TeamDatabase,
)
from snorq_desktop.domain.tokens import SecretToken


def form(**changes) -> TeamDatabase:
    fields: dict[str, Any] = {
        "host": " db.example.com ",
        "port": 5432,
        "database": "snorq ",
        "user": " maya",
        "password": SecretToken("pw"),
        "sslmode": SslMode.REQUIRE,
    }
    fields.update(changes)
    return TeamDatabase(**fields)


def test_blanks_are_trimmed_and_the_where_never_shows_the_password():
    checked = form().checked()
    assert (checked.host, checked.database, checked.user) == ("db.example.com", "snorq", "maya")
    assert checked.where == "db.example.com:5432/snorq"


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"host": " "}, "host name"),
        ({"port": 70000}, "1 to 65535"),
        ({"database": ""}, "name of the database"),
        ({"user": ""}, "user name"),
        ({"sslmode": SslMode.VERIFY_FULL}, "choose the root certificate file"),
        ({"sslmode": SslMode.VERIFY_CA, "root_certificate": "/nope.crt"}, "does not exist"),
    ],
)
def test_each_mistake_has_its_sentence(changes, sentence):
    with pytest.raises(InvalidTeamDatabase, match=sentence):
        form(**changes).checked()


def test_a_root_certificate_counts_only_for_the_verifying_modes(tmp_path):
    root = tmp_path / "root.crt"
    root.write_text("-----BEGIN CERTIFICATE-----\n")
    assert form(sslmode=SslMode.VERIFY_FULL, root_certificate=str(root)).checked().root_certificate
    assert (
        form(sslmode=SslMode.REQUIRE, root_certificate=str(root)).checked().root_certificate is None
    )


def test_a_table_count_agrees_only_when_all_three_do():
    assert TableCount("messages", 3, 3, 3).agrees
    assert not TableCount("messages", 3, 3, 2).agrees
