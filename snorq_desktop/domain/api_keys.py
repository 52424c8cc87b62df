"""API keys as the person sees them, and how a key is made and recognised.

A key is ``snorq_live_`` and 43 characters of a 256-bit random secret; the
database keeps only its SHA-256, so a key is shown once, when it is made.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from snorq_desktop.domain.enums import MemberRole

KEY_PREFIX = "snorq_live_"
SHOWN_PREFIX_CHARS = len(KEY_PREFIX) + 6  # enough to tell keys apart in a list


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def shown_prefix(key: str) -> str:
    return key[:SHOWN_PREFIX_CHARS]


@dataclass(frozen=True)
class ApiKeyInfo:
    id: str
    name: str
    prefix: str  # the key's first characters, then …
    role: MemberRole
    made_by: str | None  # the maker's name or email
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewApiKey:
    info: ApiKeyInfo
    key: str  # shown once


@dataclass(frozen=True)
class ApiCaller:
    """Who an API request acts as: the key's organisation, role and maker."""

    key_id: str
    organization_id: str
    role: MemberRole
    user_id: str
