"""SNORQ's signature on a licence (Ed25519), checked offline.

The public key the app trusts is ``resources/licence/snorq_public_key.txt``
(base64 of the 32 raw bytes), which the build replaces with SNORQ's
production key (scripts/licence.py keygen writes one; packaging/licence/README.md).
There is deliberately no setting or environment variable that changes it: an
override anyone can set would let anyone sign their own licences.  Tests pass
their own key to :class:`LicenceKeys`; ``--demo`` trusts only the demo key
below, and only for the demo's own database.

The private key is SNORQ's alone and is never in the repository or the app,
except the demo's, which signs nothing a real shop's app accepts.
"""

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.licence import (
    PREFIX,
    Licence,
    LicenceRefused,
    encode_part,
    licence_payload,
    parse_licence,
)

_BUILT_IN = files("snorq_desktop") / "resources" / "licence" / "snorq_public_key.txt"

# The demo's key: derived from a fixed phrase, so it is no secret. Only an app
# started with --demo trusts it, on its own demo database.
_DEMO_SEED = hashlib.sha256(b"SNORQ Desktop demo licences, not for sale").digest()

TAMPERED = (
    "This licence's signature does not match its text (it was changed, or it was not "
    "issued by SNORQ): paste the licence exactly as SNORQ sent it."
)


def public_key_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip()))


def demo_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_DEMO_SEED)


@dataclass(frozen=True)
class LicenceKeys:
    """The public key this app checks licences against."""

    public_key: Ed25519PublicKey

    @classmethod
    def built_in(cls) -> "LicenceKeys":
        return cls(public_key_from_text(_BUILT_IN.read_text(encoding="utf-8")))

    @classmethod
    def demo(cls) -> "LicenceKeys":
        return cls(demo_private_key().public_key())

    def signed(self, licence: Licence) -> bool:
        try:
            self.public_key.verify(licence.signature, licence.signed_part)
        except InvalidSignature:
            return False
        return True

    def read(self, text: str) -> Licence:
        """The licence, or LicenceRefused: not one, or not signed by this key."""
        licence = parse_licence(text)
        if not self.signed(licence):
            raise LicenceRefused(TAMPERED)
        return licence


def issue_licence(
    private_key: Ed25519PrivateKey,
    *,
    organization_id: str,
    organization_slug: str,
    plan: PlanType,
    days: int = 365,
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> str:
    """A signed licence's text (SNORQ's side: scripts/licence.py, tests, the demo)."""
    issued = issued_at or datetime.now(UTC).replace(microsecond=0)
    payload = licence_payload(
        licence_id=new_id(),
        organization_id=organization_id,
        organization_slug=organization_slug,
        plan=plan,
        issued_at=issued,
        expires_at=expires_at or issued + timedelta(days=days),
    )
    signed = f"{PREFIX}.{encode_part(payload)}"
    return f"{signed}.{encode_part(private_key.sign(signed.encode()))}"
