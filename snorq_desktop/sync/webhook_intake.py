"""Storing what the relay received: the same ingest path as polling.

Events are routed to a connection by the platform account they name (phone
number id, page id, TikTok business id = ``platform_user_id``).  A connection
in ERROR or EXPIRED still receives: a bad token never loses inbound messages.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MalformedPayload,
    MessageDeletion,
    MessageEdit,
    PlatformEvent,
    PlatformMessage,
    Reaction,
    ReadUpTo,
    SkippedEvent,
)
from snorq_desktop.platforms.webhooks import parse_body
from snorq_desktop.store.change_notices import notify_changes
from snorq_desktop.store.ingest import apply_delivery_updates, apply_watermarks, ingest_messages
from snorq_desktop.store.message_changes import apply_message_changes
from snorq_desktop.store.models import PlatformConnection
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.store.webhook_events import claim_pending, mark_processed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntakeResult:
    events: int
    messages: int
    unrouted: int
    changes: Changes
    skipped: int = 0  # events of kinds the inbox does not need (logged)


@dataclass
class _ConnectionBatch:
    connection_id: str
    organization_id: str
    platform: Platform
    messages: list[PlatformMessage]
    updates: list[DeliveryUpdate]
    watermarks: list[ReadUpTo]
    edits: list[Reaction | MessageEdit | MessageDeletion]


def store_pending_events(
    sessions: sessionmaker[Session], *, limit: int = 500, origin: str = "intake"
) -> IntakeResult:
    """One transaction: claim up to ``limit`` events, store what they say, mark them.
    ``origin`` tags the NOTIFY (the app's id: its own window skips the echo)."""
    with unit_of_work(sessions) as session:
        pending = claim_pending(session, limit)
        if not pending:
            return IntakeResult(0, 0, 0, Changes())
        batches: dict[tuple[Platform, str], _ConnectionBatch | None] = {}
        unrouted = skipped = 0
        for event in pending:
            try:
                parsed = parse_body(event.source, event.body)
            except MalformedPayload as error:  # the relay checked it; a newer shape?
                mark_processed(session, event.id, error=f"unreadable: {error.sentence}")
                continue
            missing, passed = _route(session, parsed, batches)
            unrouted += missing
            skipped += passed
            mark_processed(
                session,
                event.id,
                error=f"{missing} event(s) for no connection" if missing else None,
            )
        changes, stored = Changes(), 0
        for batch in batches.values():
            if batch is None:
                continue
            batch_changes, batch_stored = _store(session, batch)
            notify_changes(session, batch.organization_id, batch_changes, origin)
            changes, stored = changes | batch_changes, stored + batch_stored
    return IntakeResult(len(pending), stored, unrouted, changes, skipped)


def _route(
    session: Session,
    events: list[PlatformEvent],
    batches: dict[tuple[Platform, str], "_ConnectionBatch | None"],
) -> tuple[int, int]:
    """Sort a body's events into their connections' batches: (unrouted, skipped)."""
    missing = skipped = 0
    for event in events:
        if isinstance(event, SkippedEvent):
            log.info(
                "skipped a %s webhook event (%s)%s",
                event.platform.value,
                event.kind,
                f": {event.note}" if event.note else "",
            )
            skipped += 1
            continue
        key = (event.platform, event.account_id)
        if key not in batches:
            batches[key] = _connection_batch(session, *key)
        batch = batches[key]
        if batch is None:
            missing += 1
        elif isinstance(event, PlatformMessage):
            batch.messages.append(event)
        elif isinstance(event, DeliveryUpdate):
            batch.updates.append(event)
        elif isinstance(event, ReadUpTo):
            batch.watermarks.append(event)
        else:
            batch.edits.append(event)
    return missing, skipped


def _connection_batch(
    session: Session, platform: Platform, account: str
) -> "_ConnectionBatch | None":
    row = session.execute(
        select(PlatformConnection.id, PlatformConnection.organization_id).where(
            PlatformConnection.platform == platform,
            PlatformConnection.platform_user_id == account,
            PlatformConnection.status != ConnectionStatus.DISCONNECTED,
        )
    ).first()
    if row is None:
        log.info(
            "webhook event for %s account %s, which no organisation has connected",
            platform.value,
            account,
        )
        return None
    return _ConnectionBatch(row[0], row[1], platform, [], [], [], [])


def _store(session: Session, batch: _ConnectionBatch) -> tuple[Changes, int]:
    changes, stored = Changes(), 0
    if batch.messages:
        result = ingest_messages(
            session,
            organization_id=batch.organization_id,
            connection_id=batch.connection_id,
            platform=batch.platform,
            messages=batch.messages,
        )
        changes, stored = result.changes, result.inserted
    # After the messages: a reaction, edit or delete may name one stored just now.
    changes = changes | apply_message_changes(
        session,
        organization_id=batch.organization_id,
        connection_id=batch.connection_id,
        changes=batch.edits,
    )
    changes = changes | apply_delivery_updates(
        session,
        organization_id=batch.organization_id,
        connection_id=batch.connection_id,
        updates=batch.updates,
    )
    changes = changes | apply_watermarks(
        session,
        organization_id=batch.organization_id,
        connection_id=batch.connection_id,
        watermarks=batch.watermarks,
    )
    return changes, stored
