"""The invite code a new member pastes, and the token keys it unlocks.

What the code carries: the team database's address (host, port, database,
sslmode, and the database user name — not secret), the organisation, the
invite's id, and 32 random bytes (the secret).  It never carries the shared
database password.  Since migration 0013 the inviting app has the database
make a login for the new member, whose first password is derived from the
code's secret: that login can do nothing but use this invite (no policy lets
an unmapped login see a row), and the joining app replaces its password at
once, so a used code opens nothing.  The limit of this design: a code read
from a chat log before it is used lets its reader use the invite (for the
invited address), since the database cannot check a Google sign-in; send
codes the way you would send a password.

The team's token keys (which decrypt the platform tokens every member's app
uses) travel inside the invite row, sealed with AES-256-GCM under a key
derived (HKDF-SHA256) from the code's secret.  The database keeps only a
SHA-256 hash of the secret (a different derivation), so:

- the database alone (a dump, a curious database administrator, a backup)
  holds sealed tokens and sealed keys but nothing that opens either;
- the code alone (intercepted on its way) gives an address and no password,
  so neither the tokens nor the sealed keys can be read;
- code and database together are what a real new member has; the sealed keys
  are erased from the row in the transaction that uses the invite, so a used
  code opens nothing later, and redeeming requires being signed in with the
  invited Google address.

An expired or unused invite keeps its sealed keys until it is cancelled or
replaced; a key rotation after the invite was made means the new member gets
the old key only (their app then says which tokens it cannot open).
"""

import base64
import binascii
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from snorq_desktop.domain.errors import InviteInvalid
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.secrets.member_login import LOGIN_PREFIX

PREFIX = "snorq-invite-1."
SECRET_BYTES = 32
_NOT_A_CODE = (
    f"This is not a SNORQ Desktop invite code; copy the whole code (it starts with {PREFIX!r})."
)


@dataclass(frozen=True)
class TeamAddress:
    host: str
    port: int
    database: str
    sslmode: str | None = None
    user: str | None = None


@dataclass(frozen=True)
class InviteCode:
    invite_id: str
    organization_id: str
    organization_name: str
    address: TeamAddress
    secret: bytes = field(repr=False)

    @classmethod
    def new(
        cls, invite_id: str, organization_id: str, organization_name: str, address: TeamAddress
    ) -> "InviteCode":
        return cls(
            invite_id,
            organization_id,
            organization_name,
            address,
            secrets.token_bytes(SECRET_BYTES),
        )

    def text(self) -> str:
        payload = {
            "i": self.invite_id,
            "o": self.organization_id,
            "n": self.organization_name,
            "h": self.address.host,
            "p": self.address.port,
            "d": self.address.database,
            "s": self.address.sslmode,
            "u": self.address.user,
            "k": _b64(self.secret),
        }
        return PREFIX + _b64(json.dumps(payload, separators=(",", ":")).encode())

    @classmethod
    def parse(cls, text: str) -> "InviteCode":
        cleaned = "".join(text.split())  # mail programs wrap long lines
        if not cleaned.startswith(PREFIX):
            raise InviteInvalid(_NOT_A_CODE)
        try:
            data = json.loads(_unb64(cleaned[len(PREFIX) :]))
            secret = _unb64(data["k"])
            address = TeamAddress(
                host=str(data["h"]),
                port=int(data["p"]),
                database=str(data["d"]),
                sslmode=data.get("s"),
                user=data.get("u"),
            )
            code = cls(str(data["i"]), str(data["o"]), str(data["n"]), address, secret)
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise InviteInvalid(_NOT_A_CODE) from None
        if len(secret) != SECRET_BYTES:
            raise InviteInvalid(_NOT_A_CODE)
        return code

    @property
    def code_hash(self) -> str:
        """What the database keeps to find the invite: not enough to open the keys."""
        return hashlib.sha256(b"snorq-desktop invite lookup\0" + self.secret).hexdigest()

    @property
    def opens_own_login(self) -> bool:
        """The code names a login made for this invite (migration 0013), which
        its secret opens: no separate database password is needed."""
        return (self.address.user or "").startswith(LOGIN_PREFIX)

    @property
    def login_password(self) -> str:
        """The password of the database login made for this invite (migration
        0013): derived from the secret, so only the code opens that login, and
        only until it is used: the joining app then sets a password of its own.
        Before that the login can do one thing, use this invite."""
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=self.invite_id.encode(),
            info=b"snorq-desktop invite database login",
        ).derive(self.secret)
        return _b64(derived)

    def _sealing_key(self) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=self.invite_id.encode(),
            info=b"snorq-desktop invite token keys",
        ).derive(self.secret)

    def seal_keys(self, keys: KeySet) -> bytes:
        nonce = os.urandom(12)
        sealed = AESGCM(self._sealing_key()).encrypt(
            nonce, keys.to_json().encode(), self.invite_id.encode()
        )
        return nonce + sealed

    def open_keys(self, sealed: bytes) -> KeySet:
        try:
            plain = AESGCM(self._sealing_key()).decrypt(
                sealed[:12], sealed[12:], self.invite_id.encode()
            )
            return KeySet.from_json(plain.decode())
        except (InvalidTag, ValueError, KeyError):
            raise InviteInvalid(
                "This invite code does not open the team's token keys; check it was copied whole."
            ) from None


def merge_keys(mine: KeySet | None, team: KeySet) -> KeySet:
    """The team's keys, with the team's current one as current; keys this computer
    already had stay (tokens it sealed before joining still open)."""
    if mine is None:
        return team
    return KeySet(current=team.current, keys={**mine.keys, **team.keys})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
