"""A member's own database login: its password, and the SCRAM verifier the
team database stores instead of it.

The app computes the verifier itself (RFC 5802 / RFC 7677, PostgreSQL's
``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``) and hands only
that to the database's functions, so no clear password passes through a
statement the server might log.
"""

import base64
import hashlib
import hmac
import os
import secrets

ITERATIONS = 4096  # PostgreSQL's own default (scram_iterations)
LOGIN_PREFIX = "snorq_member_"  # the names migration 0013 gives members' logins


def new_password() -> str:
    """Random, ASCII only (so SASLprep leaves it as it is)."""
    return secrets.token_urlsafe(32)


def scram_verifier(password: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return f"SCRAM-SHA-256${ITERATIONS}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
