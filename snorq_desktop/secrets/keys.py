"""The versioned token keys, and where they are kept.

The key set lives in the OS keychain (keyring).  A headless machine has no
keychain; then the app refuses, saying so, unless the user has allowed a key
file (mode 0600 in the config folder).  It never falls back to a file silently.
"""

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors

from snorq_desktop.domain.errors import KeychainUnavailable

KEYCHAIN_SERVICE = "snorq-desktop"
KEYCHAIN_ENTRY = "token-keys"
KEY_BYTES = 32  # AES-256


@dataclass(frozen=True)
class KeySet:
    current: int
    keys: dict[int, bytes] = field(repr=False)

    @classmethod
    def fresh(cls) -> "KeySet":
        # A random first version: two computers that each made a key by mistake
        # get different versions, so a token sealed by one is recognised as
        # "sealed with a key this computer lacks" on the other, not as damaged.
        version = 1 + secrets.randbelow(999_999)
        return cls(current=version, keys={version: secrets.token_bytes(KEY_BYTES)})

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current]

    def with_new_key(self) -> "KeySet":
        version = max(self.keys) + 1
        return KeySet(current=version, keys={**self.keys, version: secrets.token_bytes(KEY_BYTES)})

    def only_current(self) -> "KeySet":
        return KeySet(current=self.current, keys={self.current: self.current_key})

    def to_json(self) -> str:
        return json.dumps(
            {"current": self.current, "keys": {str(v): k.hex() for v, k in self.keys.items()}}
        )

    @classmethod
    def from_json(cls, text: str) -> "KeySet":
        data = json.loads(text)
        keys = {int(version): bytes.fromhex(key) for version, key in data["keys"].items()}
        if data["current"] not in keys or any(len(key) != KEY_BYTES for key in keys.values()):
            raise ValueError("inconsistent key set")
        return cls(current=int(data["current"]), keys=keys)


class KeyStore(Protocol):
    where: str

    def load(self) -> KeySet | None: ...

    def save(self, keys: KeySet) -> None: ...


class KeychainKeyStore:
    where = "the system keychain"

    def __init__(self, backend: keyring.backend.KeyringBackend) -> None:
        self._backend = backend

    def load(self) -> KeySet | None:
        try:
            stored = self._backend.get_password(KEYCHAIN_SERVICE, KEYCHAIN_ENTRY)
        except keyring.errors.KeyringError as error:
            raise KeychainUnavailable(f"The system keychain could not be read: {error}.") from None
        return _parse(stored, self.where)

    def save(self, keys: KeySet) -> None:
        try:
            self._backend.set_password(KEYCHAIN_SERVICE, KEYCHAIN_ENTRY, keys.to_json())
        except keyring.errors.KeyringError as error:
            raise KeychainUnavailable(f"The system keychain refused the key: {error}.") from None


class FileKeyStore:
    """A key file readable by this user only; used only when the user allowed it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    def load(self) -> KeySet | None:
        try:
            stored = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        if os.name == "posix" and self.path.stat().st_mode & 0o077:
            self.path.chmod(0o600)  # someone loosened it: tighten before use
        return _parse(stored, self.where)

    def save(self, keys: KeySet) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(keys.to_json())
        temporary.replace(self.path)


def _parse(stored: str | None, where: str) -> KeySet | None:
    if stored is None:
        return None
    try:
        return KeySet.from_json(stored)
    except (ValueError, KeyError, TypeError):
        raise KeychainUnavailable(
            f"The token key kept in {where} is damaged; restore it from a teammate's computer."
        ) from None


def keychain_available(backend: keyring.backend.KeyringBackend) -> bool:
    # keyring's "fail" backend and an empty chain both have priority 0.
    name = type(backend).__module__ + "." + type(backend).__name__
    if name.startswith("keyring.backends.fail"):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:
        return False


def open_key_store(
    key_file: Path,
    *,
    allow_key_file: bool,
    backend: keyring.backend.KeyringBackend | None = None,
) -> KeyStore:
    """The keychain when there is one; the key file only if the user allowed it."""
    chosen = backend if backend is not None else keyring.get_keyring()
    if keychain_available(chosen):
        return KeychainKeyStore(chosen)
    if allow_key_file:
        return FileKeyStore(key_file)
    raise KeychainUnavailable(
        "This computer has no system keychain to keep the token key in. Allow a key file "
        f"readable only by you at {key_file} with --allow-key-file (or SNORQ_ALLOW_KEY_FILE=1), "
        "or install a keychain (GNOME Keyring, KWallet)."
    )


def load_or_create(store: KeyStore) -> KeySet:
    keys = store.load()
    if keys is None:
        keys = KeySet.fresh()
        store.save(keys)
    return keys
