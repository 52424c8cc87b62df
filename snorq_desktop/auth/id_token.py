"""The id_token: a JWT signed RS256, checked against the issuer's JWKS.

Written here rather than taken from a JWT library: we need one algorithm
(RS256), one key type (RSA JWK) and five claims, and `cryptography` (already a
dependency) does the signature.  Refusing every other ``alg`` — ``none`` and
HS256 with the public key as secret, the classic JWT mistakes — is simpler
to see in forty lines than in a general library's options.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from snorq_desktop.domain.errors import SignInFailed

LEEWAY_SECONDS = 120  # clocks of laptops drift; two minutes is what Google's own libraries allow

FORGED = "possible forged sign-in"


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class GoogleAccount:
    """What the id_token says about the person who signed in."""

    subject: str  # Google's stable id for the account ("sub")
    email: str
    email_verified: bool
    name: str | None
    picture: str | None


def rsa_key_from_jwk(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    if jwk.get("kty") != "RSA":
        raise ValueError("not an RSA key")
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def _split(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    try:
        header_part, claims_part, signature_part = token.split(".")
        header = json.loads(b64url_decode(header_part))
        claims = json.loads(b64url_decode(claims_part))
        signature = b64url_decode(signature_part)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise SignInFailed("The sign-in server sent a token that cannot be read.") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise SignInFailed("The sign-in server sent a token that cannot be read.")
    return header, claims, f"{header_part}.{claims_part}".encode("ascii"), signature


def token_key_id(token: str) -> str | None:
    kid = _split(token)[0].get("kid")
    return kid if isinstance(kid, str) else None


def verify_id_token(
    token: str,
    jwks: list[dict[str, Any]],
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: float,
) -> GoogleAccount:
    header, claims, signed, signature = _split(token)
    if header.get("alg") != "RS256":
        raise SignInFailed(
            f"The sign-in token is not signed the way Google signs ({FORGED}); nobody was "
            "signed in."
        )
    kid = header.get("kid")
    candidates = [k for k in jwks if k.get("kid") == kid] if kid else jwks
    if not any(_signature_holds(k, signed, signature) for k in candidates):
        raise SignInFailed(
            f"The sign-in token's signature does not match the issuer's keys ({FORGED}); "
            "nobody was signed in."
        )
    if claims.get("iss") not in (issuer, issuer.removeprefix("https://")):
        raise SignInFailed(f"The sign-in token comes from another issuer ({FORGED}).")
    audience = claims.get("aud")
    if client_id not in (audience if isinstance(audience, list) else [audience]):
        raise SignInFailed(f"The sign-in token was made for another app ({FORGED}).")
    if claims.get("nonce") != nonce:
        raise SignInFailed(
            f"The sign-in token does not answer this sign-in ({FORGED}); nobody was signed in."
        )
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or now > expires + LEEWAY_SECONDS:
        raise SignInFailed(
            "The sign-in token has expired; check this computer's date and time, then sign in "
            "again."
        )
    issued = claims.get("iat")
    if isinstance(issued, int | float) and issued > now + LEEWAY_SECONDS:
        raise SignInFailed(
            "The sign-in token is dated in the future; check this computer's date and time."
        )
    subject, email = claims.get("sub"), claims.get("email")
    if not isinstance(subject, str) or not subject or not isinstance(email, str) or not email:
        raise SignInFailed(
            "Google did not share the account's email address; allow it when signing in."
        )
    name, picture = claims.get("name"), claims.get("picture")
    return GoogleAccount(
        subject=subject,
        email=email.strip().lower(),
        email_verified=claims.get("email_verified") in (True, "true"),
        name=name if isinstance(name, str) else None,
        picture=picture if isinstance(picture, str) else None,
    )


def _signature_holds(jwk: dict[str, Any], signed: bytes, signature: bytes) -> bool:
    try:
        key = rsa_key_from_jwk(jwk)
        key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, KeyError, TypeError, binascii.Error):
        return False
    return True
