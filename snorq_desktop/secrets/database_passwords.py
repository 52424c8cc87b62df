"""Where the team database's password is kept: never in settings.json.

In the system keychain, one entry per login (user@host:port/database).  A
machine without a keychain keeps it only if the user allowed key files
(``--allow-key-file``): then in a pgpass-format file readable by this user
only, the format PostgreSQL's own tools read (``host:port:database:user:password``).
"""

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors

from snorq_desktop.domain.errors import KeychainUnavailable
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.keys import KEYCHAIN_SERVICE, keychain_available


@dataclass(frozen=True)
class Login:
    host: str
    port: int
    database: str
    user: str

    @property
    def entry(self) -> str:
        return f"database-password:{self.user}@{self.host}:{self.port}/{self.database}"


class DatabasePasswords(Protocol):
    where: str

    def load(self, login: Login) -> SecretToken | None: ...

    def save(self, login: Login, password: SecretToken) -> None: ...

    def forget(self, login: Login) -> None: ...


class KeychainPasswords:
    where = "the system keychain"

    def __init__(self, backend: keyring.backend.KeyringBackend) -> None:
        self._backend = backend

    def load(self, login: Login) -> SecretToken | None:
        try:
            stored = self._backend.get_password(KEYCHAIN_SERVICE, login.entry)
        except keyring.errors.KeyringError as error:
            raise KeychainUnavailable(f"The system keychain could not be read: {error}.") from None
        return SecretToken(stored) if stored else None

    def save(self, login: Login, password: SecretToken) -> None:
        try:
            self._backend.set_password(KEYCHAIN_SERVICE, login.entry, password.reveal())
        except keyring.errors.KeyringError as error:
            raise KeychainUnavailable(
                f"The system keychain refused the password: {error}."
            ) from None

    def forget(self, login: Login) -> None:
        # Nothing stored: nothing to forget.
        with contextlib.suppress(keyring.errors.KeyringError):
            self._backend.delete_password(KEYCHAIN_SERVICE, login.entry)


def _escape(part: str) -> str:
    return part.replace("\\", "\\\\").replace(":", "\\:")


def _fields(line: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in line:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            escaped = True
        elif char == ":":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


class PassFilePasswords:
    """A pgpass file (mode 0600), used only when the user allowed key files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    def _lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def _prefix(self, login: Login) -> list[str]:
        return [login.host, str(login.port), login.database, login.user]

    def load(self, login: Login) -> SecretToken | None:
        for line in self._lines():
            fields = _fields(line)
            if len(fields) == 5 and fields[:4] == self._prefix(login) and fields[4]:
                return SecretToken(fields[4])
        return None

    def _write(self, lines: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in lines))
        temporary.replace(self.path)

    def _others(self, login: Login) -> list[str]:
        return [line for line in self._lines() if _fields(line)[:4] != self._prefix(login)]

    def save(self, login: Login, password: SecretToken) -> None:
        entry = ":".join(_escape(part) for part in [*self._prefix(login), password.reveal()])
        self._write([*self._others(login), entry])

    def forget(self, login: Login) -> None:
        self._write(self._others(login))


def open_database_passwords(
    pass_file: Path,
    *,
    allow_key_file: bool,
    backend: keyring.backend.KeyringBackend | None = None,
) -> DatabasePasswords:
    """The keychain when there is one; the pass file only if the user allowed it."""
    chosen = backend if backend is not None else keyring.get_keyring()
    if keychain_available(chosen):
        return KeychainPasswords(chosen)
    if allow_key_file:
        return PassFilePasswords(pass_file)
    raise KeychainUnavailable(
        "This computer has no system keychain to keep the database password in. Allow a "
        f"file readable only by you at {pass_file} with --allow-key-file (or "
        "SNORQ_ALLOW_KEY_FILE=1), or install a keychain (GNOME Keyring, KWallet)."
    )
