"""AES-256-GCM sealing of platform tokens, bound to the row and column they live in.

Stored form: ``b1:<place mark>:k<version>:<iv hex>:<authTag hex>:<ciphertext hex>``.
The ``k<version>:iv:authTag:ciphertext`` part is the seed's hex form behind the
number of the key that sealed it (keys rotate without a flag day).  ``b1``
says the seal is bound: the AES-GCM associated data is the place the value
belongs to (``platform_connections:<connection id>:access_token``), so a sealed
value copied into another connection's row, or into another column, does not
open: it is refused with a sentence, never read as another connection's token.
The place mark (16 hex of the place's SHA-256, nothing secret) only tells that
sentence apart from "altered": the associated data is what refuses.

The older form, ``k<version>:...`` with no ``b1:``, was sealed with no
associated data.  It still opens (tokens stored before binding keep working);
:meth:`TokenCipher.bind` turns it into the bound form, which the store does
the first time it opens one; ``keys rotate`` (:meth:`TokenCipher.reseal`)
does it for every token of the person's organisations (see store.connections).
Until then an old value would open in any row, so the database refuses a
member's login writing one into a row or field it was not already in
(migration 0025): it can be bound in place, never copied.
"""

import hashlib
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from snorq_desktop.domain.errors import TokenKeyMissing, TokenMisplaced, TokenUnreadable
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.keys import KeySet

BOUND = "b1"
_SEALED = re.compile(r"^(?:b1:([0-9a-f]{16}):)?k(\d+):([0-9a-f]{32}):([0-9a-f]{32}):([0-9a-f]*)$")
_IV_BYTES = 16
_TAG_BYTES = 16


class TokenCipher:
    """Seals with the current key for one place; opens with whichever key a value names."""

    def __init__(self, keys: KeySet) -> None:
        self._keys = keys

    def __repr__(self) -> str:
        return f"TokenCipher(current=k{self._keys.current}, versions={sorted(self._keys.keys)})"

    @property
    def current_version(self) -> int:
        return self._keys.current

    def seal(self, token: SecretToken, place: str) -> str:
        return self._seal(token, place, self._keys.current)

    def _seal(self, token: SecretToken, place: str, version: int) -> str:
        if not place:
            raise ValueError("a sealed token needs the place it belongs to")
        iv = os.urandom(_IV_BYTES)
        sealed = AESGCM(self._keys.keys[version]).encrypt(
            iv, token.reveal().encode("utf-8"), place.encode("utf-8")
        )
        ciphertext, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
        return f"{BOUND}:{_mark(place)}:k{version}:{iv.hex()}:{tag.hex()}:{ciphertext.hex()}"

    def open(self, sealed: str, place: str) -> SecretToken:
        """The token sealed at ``place``; TokenMisplaced if it was sealed for another."""
        match = _SEALED.match(sealed)
        if match is None:
            raise TokenUnreadable(
                "A stored token is not in the sealed format; reconnect the account."
            )
        bound = match.group(1) is not None
        if bound and match.group(1) != _mark(place):
            raise TokenMisplaced(
                "This token was sealed for another connection (or another field of this one) "
                "and was copied here, so it is not used. Reconnect the account."
            )
        version = int(match.group(2))
        key = self._keys.keys.get(version)
        if key is None:
            raise TokenKeyMissing(
                f"A stored token was sealed with key k{version}, which this computer does not "
                "have. Copy the team's token key to this computer, or reconnect the account."
            )
        iv, tag, ciphertext = (bytes.fromhex(part) for part in match.group(3, 4, 5))
        try:
            plain = AESGCM(key).decrypt(
                iv, ciphertext + tag, place.encode("utf-8") if bound else None
            )
        except InvalidTag:
            raise TokenUnreadable(
                f"A stored token does not match key k{version}: it was altered or sealed with "
                "another key of the same version. Reconnect the account."
            ) from None
        return SecretToken(plain.decode("utf-8"))

    def version_of(self, sealed: str) -> int | None:
        match = _SEALED.match(sealed)
        return int(match.group(2)) if match else None

    def is_bound(self, sealed: str) -> bool:
        match = _SEALED.match(sealed)
        return match is not None and match.group(1) is not None

    def bind(self, sealed: str, place: str) -> str:
        """An unbound (older) value bound to ``place`` under the key it names, not
        the current one: a teammate's computer may not have this one's newest
        key outside a rotation.  Unchanged if bound already."""
        token = self.open(sealed, place)  # refuses a misplaced or damaged value
        if self.is_bound(sealed):
            return sealed
        version = self.version_of(sealed)
        assert version is not None  # open() accepted it
        return self._seal(token, place, version)

    def reseal(self, sealed: str, place: str) -> str:
        """The same token under the current key, bound to ``place`` (unchanged if it
        already is).  A value sealed for another place is refused, not rebound."""
        if self.is_bound(sealed) and self.version_of(sealed) == self._keys.current:
            self.open(sealed, place)  # a misplaced value stays refused
            return sealed
        return self.seal(self.open(sealed, place), place)


def _mark(place: str) -> str:
    return hashlib.sha256(place.encode("utf-8")).hexdigest()[:16]
