"""Outgoing webhooks in the database (migration 0015): registered through the
definer functions; each event's delivery claimed in its own committed
transaction before it is posted (so two senders never post one event), then
marked delivered, put back for a later attempt, or failed for good."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from snorq_desktop.store.api_key_models import OutgoingWebhook
from snorq_desktop.store.models import Organization
from snorq_desktop.store.rules import call_rule

UNKNOWN_OUTCOME = (
    "The sender stopped while posting this event, so it may or may not have arrived; "
    "it is not posted again."
)


@dataclass(frozen=True)
class DueDelivery:
    id: str
    organization_id: str
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


def organizations_to_post_for(session: Session) -> list[str]:
    """The organisations this login sees (under row-level security, its own): the
    sender works one at a time, so every statement names its shop (#14.3)."""
    return list(session.execute(select(Organization.id).order_by(Organization.id)).scalars())


def claim_due(session: Session, organization_id: str, limit: int = 50) -> list[DueDelivery]:
    """The organisation's deliveries due now, claimed (commit before posting them)."""
    rows = session.execute(
        text("""
            UPDATE webhook_deliveries d
               SET sending_since = now(), attempts = d.attempts + 1
              FROM outgoing_webhooks w
             WHERE w.organization_id = :org AND d.organization_id = :org
               AND w.id = d.webhook_id AND d.id IN (
                   SELECT id FROM webhook_deliveries
                    WHERE organization_id = :org AND delivered_at IS NULL AND failed_at IS NULL
                      AND sending_since IS NULL AND next_attempt_at <= now()
                    ORDER BY next_attempt_at, id LIMIT :limit
                    FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.organization_id, d.event_id, d.event, d.payload, d.attempts,
                      w.url, w.secret, w.id
        """),
        {"org": organization_id, "limit": limit},
    ).all()
    return [DueDelivery(*row) for row in rows]


def mark_delivered(session: Session, delivery: DueDelivery) -> None:
    session.execute(
        text(
            "UPDATE webhook_deliveries SET delivered_at = now(), last_error = NULL "
            "WHERE organization_id = :org AND id = :i"
        ),
        {"org": delivery.organization_id, "i": delivery.id},
    )


def put_back(session: Session, delivery: DueDelivery, wait_seconds: float, error: str) -> None:
    session.execute(
        text("""
            UPDATE webhook_deliveries SET sending_since = NULL, last_error = :error,
                   next_attempt_at = now() + make_interval(secs => :wait)
             WHERE organization_id = :org AND id = :i
        """),
        {"org": delivery.organization_id, "i": delivery.id, "wait": wait_seconds, "error": error},
    )


def mark_failed(session: Session, delivery: DueDelivery, error: str) -> None:
    session.execute(
        text(
            "UPDATE webhook_deliveries SET failed_at = now(), last_error = :e "
            "WHERE organization_id = :org AND id = :i"
        ),
        {"org": delivery.organization_id, "i": delivery.id, "e": error},
    )


def settle_stale(session: Session, organization_id: str, older_than_seconds: int) -> int:
    """Claims that never finished (a sender died mid-post): failed, never reposted."""
    result = session.execute(
        text("""
            UPDATE webhook_deliveries SET failed_at = now(), last_error = :reason
             WHERE organization_id = :org
               AND delivered_at IS NULL AND failed_at IS NULL AND sending_since IS NOT NULL
               AND sending_since < now() - make_interval(secs => :age)
        """),
        {"org": organization_id, "reason": UNKNOWN_OUTCOME, "age": older_than_seconds},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
