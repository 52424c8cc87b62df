"""The NOTIFY payload that tells the other apps of a team what changed.

NOTIFY is not covered by row-level security: any login of the database may
LISTEN on any channel, and send on it.  So a notice carries ids only, never a
customer's words (in a hosted database another shop's member would hear
them), it goes out on the organisation's own channel (named by its id, which
only its members can read), and what it says is a hint to re-read through
the member's own login: a forged one can make an app re-read, nothing more."""

import hashlib
import json
from typing import Any

from snorq_desktop.domain.inbox import Changes

WEBHOOK_CHANNEL = "snorq_webhook_events"
_MAX_PAYLOAD = 7000  # PostgreSQL's limit is 8000 bytes


def team_channel(organization_id: str) -> str:
    """The organisation's channel: "snorq_changes_" and 40 hex digits of its id's
    SHA-256 (any id fits PostgreSQL's 63 bytes for a channel's name)."""
    return "snorq_changes_" + hashlib.sha256(str(organization_id).encode()).hexdigest()[:40]


def encode_notice(organization_id: str, changes: Changes, origin: str) -> str:
    notice: dict[str, Any] = {
        "o": organization_id,
        "from": origin,
        "c": sorted(changes.conversations),
        "m": sorted(changes.messages),
        # Which conversations have a new customer message: the app that hears it
        # reads the words itself, as the member it is.
        "a": sorted({conversation for conversation, _ in changes.arrivals}),
    }
    if changes.labels:
        notice["l"] = 1
    if changes.connections:
        notice["k"] = 1
    if changes.quick_replies:
        notice["q"] = 1
    if changes.assignments:  # who was given which conversation: ids only
        notice["as"] = [list(pair) for pair in changes.assignments]
    if changes.business_hours:
        notice["h"] = 1
    payload = json.dumps(notice, ensure_ascii=False)
    if len(payload.encode()) > _MAX_PAYLOAD:
        payload = json.dumps({"o": organization_id, "from": origin, "all": True})
    return payload


def read_notice(payload: str) -> tuple[str, str, Changes | None]:
    """(organisation, origin, changes); changes None means "too much: reload".
    Arrivals come without their words (the app reads them); a payload of any
    other shape is never an error, at most a reload."""
    try:
        notice = json.loads(payload)
        organization, origin = str(notice["o"]), str(notice.get("from", ""))
    except (ValueError, KeyError, TypeError, IndexError):
        return "", "", None
    if notice.get("all"):
        return organization, origin, None
    return (
        organization,
        origin,
        Changes(
            conversations=frozenset(_ids(notice.get("c"))),
            messages=frozenset(_ids(notice.get("m"))),
            arrivals=tuple((conversation, "") for conversation in _ids(notice.get("a"))),
            labels=bool(notice.get("l")),
            connections=bool(notice.get("k")),
            quick_replies=bool(notice.get("q")),
            assignments=_pairs(notice.get("as")),
            business_hours=bool(notice.get("h")),
        ),
    )


def _ids(listed: Any) -> list[str]:
    if not isinstance(listed, list):
        return []
    return [item for item in listed if isinstance(item, str) and len(item) <= 64]


def _pairs(listed: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(listed, list):
        return ()
    return tuple(
        (pair[0], pair[1])
        for pair in listed
        if isinstance(pair, list) and len(pair) == 2 and _ids(pair) == pair
    )
