"""Outgoing webhooks in the database (migration 0015): registered through the
definer functions; each event's delivery claimed in its own committed
transaction before it is posted (so two senders never post one event), then
marked delivered, put back for a later attempt, or failed for good."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from snorq_desktop.store.api_key_models import OutgoingWebhook
from snorq_desktop.store.rules import call_rule

UNKNOWN_OUTCOME = (
    "The sender stopped while posting this event, so it may or may not have arrived; "
    "it is not posted again."
)


@dataclass(frozen=True)
class DueDelivery:
    id: str
    event_id: str
    event: str
    payload: dict[str, Any]
    attempts: int
    url: str
    sealed_secret: str
    webhook_id: str  # its secret is sealed for its row (outgoing_webhooks:<id>:secret)


def add_webhook(
    session: Session,
    *,
    webhook_id: str,
    organization_id: str,
    actor_id: str,
    url: str,
    sealed_secret: str,
) -> str:
    call_rule(
        session,
        "SELECT snorq_add_webhook(:actor, :id, :org, :url, :secret)",
        actor=actor_id,
        id=webhook_id,
        org=organization_id,
        url=url.strip(),
        secret=sealed_secret,
    )
    return webhook_id


def remove_webhook(session: Session, *, organization_id: str, actor_id: str, webhook: str) -> None:
    call_rule(
        session,
        "SELECT snorq_remove_webhook(:actor, :org, :webhook)",
        actor=actor_id,
        org=organization_id,
        webhook=webhook.strip(),
    )


def webhooks_of(session: Session, organization_id: str) -> list[tuple[str, str]]:
    rows = session.execute(
        select(OutgoingWebhook.id, OutgoingWebhook.url)
        .where(OutgoingWebhook.organization_id == organization_id)
        .order_by(OutgoingWebhook.created_at)
    ).all()
    return [(r[0], r[1]) for r in rows]


def claim_due(session: Session, limit: int = 50) -> list[DueDelivery]:
    """Deliveries due now, claimed (commit before posting them)."""
    rows = session.execute(
        text("""
            UPDATE webhook_deliveries d
               SET sending_since = now(), attempts = d.attempts + 1
              FROM outgoing_webhooks w
             WHERE w.id = d.webhook_id AND d.id IN (
                   SELECT id FROM webhook_deliveries
                    WHERE delivered_at IS NULL AND failed_at IS NULL
                      AND sending_since IS NULL AND next_attempt_at <= now()
                    ORDER BY next_attempt_at, id LIMIT :limit
                    FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.event_id, d.event, d.payload, d.attempts, w.url, w.secret, w.id
        """),
        {"limit": limit},
    ).all()
    return [DueDelivery(*row) for row in rows]


def mark_delivered(session: Session, delivery_id: str) -> None:
    session.execute(
        text("UPDATE webhook_deliveries SET delivered_at = now(), last_error = NULL WHERE id = :i"),
        {"i": delivery_id},
    )


def put_back(session: Session, delivery_id: str, wait_seconds: float, error: str) -> None:
    session.execute(
        text("""
            UPDATE webhook_deliveries SET sending_since = NULL, last_error = :error,
                   next_attempt_at = now() + make_interval(secs => :wait)
             WHERE id = :i
        """),
        {"i": delivery_id, "wait": wait_seconds, "error": error},
    )


def mark_failed(session: Session, delivery_id: str, error: str) -> None:
    session.execute(
        text("UPDATE webhook_deliveries SET failed_at = now(), last_error = :e WHERE id = :i"),
        {"i": delivery_id, "e": error},
    )


def settle_stale(session: Session, older_than_seconds: int) -> int:
    """Claims that never finished (a sender died mid-post): failed, never reposted."""
    result = session.execute(
        text("""
            UPDATE webhook_deliveries SET failed_at = now(), last_error = :reason
             WHERE delivered_at IS NULL AND failed_at IS NULL AND sending_since IS NOT NULL
               AND sending_since < now() - make_interval(secs => :age)
        """),
        {"reason": UNKNOWN_OUTCOME, "age": older_than_seconds},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
