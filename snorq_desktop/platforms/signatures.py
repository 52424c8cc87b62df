"""Webhook signatures, checked over the raw bytes before anything is parsed."""

import hashlib
import hmac


class SignatureRejected(Exception):
    """The request is not from the platform (or is too old to trust)."""


def _hex_hmac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_meta(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``.

    Meta escapes non-ASCII and ``/`` before signing, so only the raw bytes match.
    """
    if not header or not header.startswith("sha256="):
        raise SignatureRejected("missing X-Hub-Signature-256")
    if not hmac.compare_digest(header[len("sha256=") :].lower(), _hex_hmac(app_secret, raw_body)):
        raise SignatureRejected("X-Hub-Signature-256 does not match")


def verify_tiktok(
    raw_body: bytes, header: str | None, app_secret: str, *, now: float, tolerance: float = 300
) -> None:
    """``Tiktok-Signature: t=<unix s>,s=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>``;
    a timestamp further than ``tolerance`` seconds from now is refused (replays)."""
    parts = dict(piece.split("=", 1) for piece in (header or "").split(",") if "=" in piece)
    stamp, signature = parts.get("t"), parts.get("s")
    if not stamp or not signature or not stamp.isdigit():
        raise SignatureRejected("missing or unreadable Tiktok-Signature")
    if abs(now - int(stamp)) > tolerance:
        raise SignatureRejected("Tiktok-Signature timestamp is stale")
    expected = _hex_hmac(app_secret, stamp.encode() + b"." + raw_body)
    if not hmac.compare_digest(signature.lower(), expected):
        raise SignatureRejected("Tiktok-Signature does not match")
