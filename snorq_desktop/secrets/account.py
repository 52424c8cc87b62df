"""Who is signed in on this computer: the Google account and its refresh
token, kept in the OS keychain beside the token key (or, where the user
allowed it, a file readable only by them).  Signing out deletes the entry."""

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from snorq_desktop.domain.errors import KeychainUnavailable
from snorq_desktop.secrets.keys import KEYCHAIN_SERVICE, keychain_available

ACCOUNT_ENTRY = "google-account"


@dataclass(frozen=True)
class SignedInAccount:
    google_id: str
    email: str
    name: str | None = None
    avatar_url: str | None = None
    refresh_token: str | None = field(default=None, repr=False)


class AccountStore:
    """Keychain first; a 0600 file only when ``file`` is given (the user allowed it)."""

    def __init__(
        self, backend: keyring.backend.KeyringBackend | None, file: Path | None = None
    ) -> None:
        self._backend = backend
        self._file = file
        self.where = "the system keychain" if backend is not None else str(file)

    def load(self) -> SignedInAccount | None:
        stored = self._read()
        if stored is None:
            return None
        try:
            return SignedInAccount(**json.loads(stored))
        except (ValueError, TypeError):
            return None  # damaged: as good as signed out; signing in again rewrites it

    def save(self, account: SignedInAccount) -> None:
        text = json.dumps(asdict(account))
        if self._backend is not None:
            try:
                self._backend.set_password(KEYCHAIN_SERVICE, ACCOUNT_ENTRY, text)
            except keyring.errors.KeyringError as error:
                raise KeychainUnavailable(
                    f"The system keychain refused the sign-in: {error}."
                ) from None
            return
        assert self._file is not None
        self._file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self._file.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        temporary.replace(self._file)

    def clear(self) -> SignedInAccount | None:
        """Forget the account; returns what was stored (to revoke its token)."""
        account = self.load()
        if self._backend is not None:
            try:
                self._backend.delete_password(KEYCHAIN_SERVICE, ACCOUNT_ENTRY)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing was stored
            except keyring.errors.KeyringError as error:
                raise KeychainUnavailable(
                    f"The system keychain did not let go of the sign-in: {error}."
                ) from None
        elif self._file is not None:
            self._file.unlink(missing_ok=True)
        return account

    def _read(self) -> str | None:
        if self._backend is not None:
            try:
                stored: str | None = self._backend.get_password(KEYCHAIN_SERVICE, ACCOUNT_ENTRY)
            except keyring.errors.KeyringError as error:
                raise KeychainUnavailable(
                    f"The system keychain could not be read: {error}."
                ) from None
            return stored
        assert self._file is not None
        try:
            return self._file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None


def open_account_store(file: Path, *, allow_file: bool) -> AccountStore:
    backend = keyring.get_keyring()
    if keychain_available(backend):
        return AccountStore(backend)
    if allow_file:
        return AccountStore(None, file)
    raise KeychainUnavailable(
        "This computer has no system keychain to keep the sign-in in. Allow a file readable "
        f"only by you at {file} with SNORQ_ALLOW_KEY_FILE=1, or install a keychain "
        "(GNOME Keyring, KWallet)."
    )
