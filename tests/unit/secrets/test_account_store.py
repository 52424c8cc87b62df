"""Who is signed in: kept in the keychain, or an allowed 0600 file; never in
the clear anywhere else; forgotten on sign-out."""

import stat

import keyring.backends.fail
import pytest

from snorq_desktop.domain.errors import InviteInvalid, KeychainUnavailable
from snorq_desktop.secrets.account import (
    ACCOUNT_ENTRY,
    AccountStore,
    SignedInAccount,
    open_account_store,
)
from snorq_desktop.secrets.invite_code import InviteCode, TeamAddress, merge_keys
from snorq_desktop.secrets.keys import KEYCHAIN_SERVICE, KeySet
from tests.keychain import MemoryKeychain

MAYA = SignedInAccount("g-1", "maya@example.com", "Maya", None, refresh_token="1//secret")


def test_the_sign_in_lives_in_the_keychain_and_sign_out_removes_it(tmp_path, monkeypatch):
    keychain = MemoryKeychain()
    monkeypatch.setattr("keyring.get_keyring", lambda: keychain)
    store = open_account_store(tmp_path / "account.json", allow_file=True)
    store.save(MAYA)
    assert "1//secret" in keychain.entries[(KEYCHAIN_SERVICE, ACCOUNT_ENTRY)]
    assert store.load() == MAYA
    assert "1//secret" not in repr(MAYA)
    assert store.clear() == MAYA
    assert store.load() is None and store.clear() is None
    assert not (tmp_path / "account.json").exists()


def test_without_a_keychain_a_file_only_when_allowed(tmp_path, monkeypatch):
    monkeypatch.setattr("keyring.get_keyring", keyring.backends.fail.Keyring)
    with pytest.raises(KeychainUnavailable, match="SNORQ_ALLOW_KEY_FILE"):
        open_account_store(tmp_path / "account.json", allow_file=False)
    store = open_account_store(tmp_path / "account.json", allow_file=True)
    store.save(MAYA)
    assert stat.S_IMODE((tmp_path / "account.json").stat().st_mode) == 0o600
    assert store.load() == MAYA
    store.clear()
    assert not (tmp_path / "account.json").exists()


def test_a_damaged_entry_counts_as_signed_out(tmp_path):
    keychain = MemoryKeychain()
    keychain.set_password(KEYCHAIN_SERVICE, ACCOUNT_ENTRY, "{not json")
    assert AccountStore(keychain).load() is None


# --- invite codes ----------------------------------------------------------------------

ADDRESS = TeamAddress("db.example.com", 5432, "shop", "verify-full", "snorq")


def test_an_invite_code_round_trips_and_survives_line_wrapping():
    code = InviteCode.new("inv-1", "org-1", "Maya's Shop ☀", ADDRESS)
    text = code.text()
    wrapped = "\n".join(text[i : i + 60] for i in range(0, len(text), 60))
    assert InviteCode.parse(f"  {wrapped}\n") == code
    assert "password" not in text and code.secret.hex() not in code.code_hash


def test_only_the_code_opens_the_keys_it_sealed():
    code = InviteCode.new("inv-1", "org-1", "Shop", ADDRESS)
    keys = KeySet.fresh()
    sealed = code.seal_keys(keys)
    assert keys.current_key not in sealed
    assert code.open_keys(sealed) == keys
    other = InviteCode.new("inv-1", "org-1", "Shop", ADDRESS)
    with pytest.raises(InviteInvalid, match="does not open"):
        other.open_keys(sealed)
    moved = InviteCode("inv-2", "org-1", "Shop", ADDRESS, code.secret)  # bound to its invite
    with pytest.raises(InviteInvalid, match="does not open"):
        moved.open_keys(sealed)


@pytest.mark.parametrize(
    "text", ["", "hello", "snorq-invite-1.", "snorq-invite-1.e30", "snorq-invite-1.!!"]
)
def test_a_broken_code_is_one_sentence(text):
    with pytest.raises(InviteInvalid, match="not a SNORQ Desktop invite code"):
        InviteCode.parse(text)


def test_joining_keeps_this_computers_own_keys():
    mine, team = KeySet.fresh(), KeySet.fresh()
    merged = merge_keys(mine, team)
    assert merged.current == team.current
    assert merged.keys == {**mine.keys, **team.keys}
    assert merge_keys(None, team) == team
