"""AES-256-GCM sealing of platform tokens, in the seed's format behind a key version.

Stored form: ``k<version>:<iv hex>:<authTag hex>:<ciphertext hex>``.  The part
after the version is exactly the seed's ``iv:authTag:ciphertext`` (16-byte IV,
16-byte tag), so the seed's own ``decrypt`` reads it given the same key.  The
version says which key sealed it, so keys can be rotated without a flag day.
"""

import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from snorq_desktop.domain.errors import TokenKeyMissing, TokenUnreadable
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.keys import KeySet

_SEALED = re.compile(r"^k(\d+):([0-9a-f]{32}):([0-9a-f]{32}):([0-9a-f]*)$")
_IV_BYTES = 16
_TAG_BYTES = 16


class TokenCipher:
    """Seals with the current key; opens with whichever key a value names."""

    def __init__(self, keys: KeySet) -> None:
        self._keys = keys

    def __repr__(self) -> str:
        return f"TokenCipher(current=k{self._keys.current}, versions={sorted(self._keys.keys)})"

    @property
    def current_version(self) -> int:
        return self._keys.current

    def seal(self, token: SecretToken) -> str:
        iv = os.urandom(_IV_BYTES)
        sealed = AESGCM(self._keys.current_key).encrypt(iv, token.reveal().encode("utf-8"), None)
        ciphertext, tag = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
        return f"k{self._keys.current}:{iv.hex()}:{tag.hex()}:{ciphertext.hex()}"

    def open(self, sealed: str) -> SecretToken:
        match = _SEALED.match(sealed)
        if match is None:
            raise TokenUnreadable(
                "A stored token is not in the sealed format; reconnect the account."
            )
        version = int(match.group(1))
        key = self._keys.keys.get(version)
        if key is None:
            raise TokenKeyMissing(
                f"A stored token was sealed with key k{version}, which this computer does not "
                "have. Copy the team's token key to this computer, or reconnect the account."
            )
        iv, tag, ciphertext = (bytes.fromhex(part) for part in match.group(2, 3, 4))
        try:
            plain = AESGCM(key).decrypt(iv, ciphertext + tag, None)
        except InvalidTag:
            raise TokenUnreadable(
                f"A stored token does not match key k{version}: it was altered or sealed with "
                "another key of the same version. Reconnect the account."
            ) from None
        return SecretToken(plain.decode("utf-8"))

    def version_of(self, sealed: str) -> int | None:
        match = _SEALED.match(sealed)
        return int(match.group(1)) if match else None

    def reseal(self, sealed: str) -> str:
        """The same token under the current key (unchanged if it already is)."""
        if self.version_of(sealed) == self._keys.current:
            return sealed
        return self.seal(self.open(sealed))
