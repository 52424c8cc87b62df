"""The team database password's two homes: the keychain, or a pgpass file
readable only by this user (when allowed)."""

from pathlib import Path

import keyring.backends.fail
import pytest

from snorq_desktop.domain.errors import KeychainUnavailable
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.database_passwords import (
    KeychainPasswords,
    Login,
    PassFilePasswords,
    open_database_passwords,
)
from tests.keychain import MemoryKeychain

LOGIN = Login("db.example.com", 5432, "snorq", "maya")


def test_the_keychain_keeps_one_entry_per_login():
    keychain = MemoryKeychain()
    passwords = open_database_passwords(Path("/unused"), allow_key_file=False, backend=keychain)
    assert isinstance(passwords, KeychainPasswords)
    passwords.save(LOGIN, SecretToken("s3cret"))
    other = Login("db.example.com", 5432, "snorq", "olu")
    assert passwords.load(LOGIN) == SecretToken("s3cret")
    assert passwords.load(other) is None
    passwords.forget(LOGIN)
    passwords.forget(LOGIN)  # twice is fine
    assert passwords.load(LOGIN) is None


def test_the_pass_file_escapes_colons_and_backslashes_and_is_private(tmp_path):
    path = tmp_path / "config" / "database-passwords.pgpass"
    passwords = PassFilePasswords(path)
    tricky = Login("db:host", 6543, "shop\\db", "ma:ya")
    passwords.save(tricky, SecretToken("pa:ss\\word"))
    passwords.save(LOGIN, SecretToken("first"))
    passwords.save(LOGIN, SecretToken("second"))  # replaced, not added

    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().splitlines() == [
        "db\\:host:6543:shop\\\\db:ma\\:ya:pa\\:ss\\\\word",
        "db.example.com:5432:snorq:maya:second",
    ]
    assert passwords.load(tricky) == SecretToken("pa:ss\\word")
    assert passwords.load(LOGIN) == SecretToken("second")
    passwords.forget(tricky)
    assert passwords.load(tricky) is None
    assert passwords.load(LOGIN) == SecretToken("second")


def test_without_a_keychain_only_an_allowed_file(tmp_path):
    backend = keyring.backends.fail.Keyring()
    with pytest.raises(KeychainUnavailable, match="--allow-key-file"):
        open_database_passwords(tmp_path / "p", allow_key_file=False, backend=backend)
    chosen = open_database_passwords(tmp_path / "p", allow_key_file=True, backend=backend)
    assert isinstance(chosen, PassFilePasswords)
