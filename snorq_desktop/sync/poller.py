"""Polling a connection: what changed on the platform since the last pass,
stored through the same ingest path as webhooks."""

import asyncio
from datetime import timedelta

from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.store.sync_records import SyncRecords
from snorq_desktop.sync.connection_work import PassReport, Turn

POLL_OVERLAP = timedelta(minutes=10)


class Poller:
    def __init__(self, records: SyncRecords) -> None:
        self._records = records

    async def poll(self, turn: Turn, report: PassReport) -> None:
        client, account, connection = turn.client, turn.account, turn.connection
        # Overlap the last pass a little: ingest is idempotent, and a webhook may
        # have moved last_sync_at past a conversation the poll had not read yet.
        since = connection.last_sync_at - POLL_OVERLAP if connection.last_sync_at else None
        changed = await client.changed_conversations(account, since)
        found: list[PlatformMessage] = []
        for conversation_id in changed:
            found.extend(await client.messages(account, conversation_id))
        report.changes = report.changes | await asyncio.to_thread(
            self._records.store_polled, connection, found
        )
        report.stored += sum(1 for _ in found)
