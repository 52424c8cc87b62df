"""The NOTIFY payload that tells the other apps of a team what changed."""

import json
from typing import Any

from snorq_desktop.domain.inbox import Changes

CHANNEL = "snorq_changes"
WEBHOOK_CHANNEL = "snorq_webhook_events"
_MAX_PAYLOAD = 7000  # PostgreSQL's limit is 8000 bytes


def encode_notice(organization_id: str, changes: Changes, origin: str) -> str:
    notice: dict[str, Any] = {
        "o": organization_id,
        "from": origin,
        "c": sorted(changes.conversations),
        "m": sorted(changes.messages),
        "a": [[conversation, preview[:80]] for conversation, preview in changes.arrivals],
    }
    if changes.labels:
        notice["l"] = 1
    if changes.connections:
        notice["k"] = 1
    payload = json.dumps(notice, ensure_ascii=False)
    if len(payload.encode()) > _MAX_PAYLOAD:
        payload = json.dumps({"o": organization_id, "from": origin, "all": True})
    return payload


def read_notice(payload: str) -> tuple[str, str, Changes | None]:
    """(organisation, origin, changes); changes None means "too much: reload"."""
    try:
        notice = json.loads(payload)
        organization, origin = str(notice["o"]), str(notice.get("from", ""))
    except (ValueError, KeyError, TypeError):
        return "", "", None
    if notice.get("all"):
        return organization, origin, None
    return (
        organization,
        origin,
        Changes(
            conversations=frozenset(notice.get("c", [])),
            messages=frozenset(notice.get("m", [])),
            arrivals=tuple((str(a[0]), str(a[1])) for a in notice.get("a", []) if len(a) == 2),
            labels=bool(notice.get("l")),
            connections=bool(notice.get("k")),
        ),
    )
