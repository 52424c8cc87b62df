import json
import stat

import keyring.backends.fail
import pytest

from snorq_desktop.domain.errors import KeychainUnavailable
from snorq_desktop.secrets.keys import (
    KEYCHAIN_ENTRY,
    KEYCHAIN_SERVICE,
    FileKeyStore,
    KeychainKeyStore,
    load_or_create,
    open_key_store,
)
from tests.keychain import MemoryKeychain


def test_the_key_lives_in_the_keychain_when_there_is_one(tmp_path):
    keychain = MemoryKeychain()
    store = open_key_store(tmp_path / "key.json", allow_key_file=True, backend=keychain)
    assert isinstance(store, KeychainKeyStore)
    keys = load_or_create(store)
    assert (
        json.loads(keychain.entries[(KEYCHAIN_SERVICE, KEYCHAIN_ENTRY)])["current"] == keys.current
    )
    assert load_or_create(store) == keys
    assert not (tmp_path / "key.json").exists()


def test_without_a_keychain_the_app_says_so_and_writes_no_file(tmp_path):
    with pytest.raises(KeychainUnavailable, match="no system keychain") as caught:
        open_key_store(
            tmp_path / "key.json", allow_key_file=False, backend=keyring.backends.fail.Keyring()
        )
    assert "--allow-key-file" in caught.value.sentence
    assert not (tmp_path / "key.json").exists()


def test_an_allowed_key_file_is_readable_by_its_owner_only(tmp_path):
    store = open_key_store(
        tmp_path / "cfg" / "key.json", allow_key_file=True, backend=keyring.backends.fail.Keyring()
    )
    assert isinstance(store, FileKeyStore)
    keys = load_or_create(store)
    mode = stat.S_IMODE((tmp_path / "cfg" / "key.json").stat().st_mode)
    assert mode == 0o600
    (tmp_path / "cfg" / "key.json").chmod(0o644)
    assert load_or_create(store) == keys
    assert stat.S_IMODE((tmp_path / "cfg" / "key.json").stat().st_mode) == 0o600


def test_a_damaged_key_is_reported_not_replaced(tmp_path):
    (tmp_path / "key.json").write_text("{not json")
    with pytest.raises(KeychainUnavailable, match="damaged"):
        load_or_create(FileKeyStore(tmp_path / "key.json"))
    assert (tmp_path / "key.json").read_text() == "{not json"
