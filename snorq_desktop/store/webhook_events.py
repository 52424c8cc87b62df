"""The relay's durable queue: each verified webhook body stored once, NOTIFY'd,
and marked processed by whichever app stores what it says."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.team_notice import WEBHOOK_CHANNEL as CHANNEL
from snorq_desktop.store.models import WebhookEvent


@dataclass(frozen=True)
class PendingEvent:
    id: str
    source: str
    body: bytes


def record_event(session: Session, source: str, body: bytes) -> bool:
    """Store a verified body once (a redelivery is a no-op); True if it was new.
    The NOTIFY is sent when the caller commits, so listeners see durable rows only."""
    event_id = new_id()
    # No RETURNING and no conflict target: the relay's login may only INSERT here
    # (migration 0013), and either would need SELECT.  The id is new, so the one
    # conflict there can be is the dedupe key's.
    result = session.execute(
        text(
            "INSERT INTO webhook_events (id, source, dedupe_key, body) "
            "VALUES (:id, :source, :dedupe_key, :body) ON CONFLICT DO NOTHING"
        ),
        {
            "id": event_id,
            "source": source,
            "dedupe_key": hashlib.sha256(body).hexdigest(),
            "body": body,
        },
    )
    inserted = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    if inserted:
        session.execute(
            text("SELECT pg_notify(:channel, :id)"), {"channel": CHANNEL, "id": event_id}
        )
    return inserted


def claim_pending(session: Session, limit: int) -> list[PendingEvent]:
    """The oldest unprocessed events, locked for this transaction; another app
    running at the same time skips them instead of waiting or doubling them."""
    rows = session.execute(
        select(WebhookEvent.id, WebhookEvent.source, WebhookEvent.body)
        .where(WebhookEvent.processed_at.is_(None))
        .order_by(WebhookEvent.received_at, WebhookEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [PendingEvent(row[0], row[1], bytes(row[2])) for row in rows]


def mark_processed(session: Session, event_id: str, error: str | None = None) -> None:
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)
        .values(processed_at=text("now()"), error=error)
    )
