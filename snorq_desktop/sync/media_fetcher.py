"""Customers' files, kept in the team database while the platform still offers
them (WhatsApp's links die, Messenger's CDN URLs expire)."""

import asyncio

from snorq_desktop.domain.attachments import file_name_for
from snorq_desktop.domain.platform_events import MalformedPayload
from snorq_desktop.platforms.errors import PermanentFailure, TemporaryFailure
from snorq_desktop.platforms.media import FileTooLarge
from snorq_desktop.store.sync_records import SyncRecords
from snorq_desktop.sync.connection_work import PassReport, Turn


class MediaFetcher:
    def __init__(self, records: SyncRecords) -> None:
        self._records = records

    async def fetch(self, turn: Turn, report: PassReport) -> None:
        db = asyncio.to_thread
        waiting = await db(self._records.media_to_fetch, turn.connection)
        fetched: set[str] = set()
        for media in waiting:
            name = file_name_for(media)
            try:
                file = await turn.client.download(turn.account, media)
            except FileTooLarge as large:
                await db(self._records.unavailable, media, name, large.sentence, large.size)
            except PermanentFailure as gone:
                await db(self._records.unavailable, media, name, gone.sentence, None)
            except (TemporaryFailure, MalformedPayload):
                continue  # next pass
            else:
                await db(self._records.keep_file, media, file, name)
            fetched.add(media.message_id)
        if fetched:
            report.changes = report.changes | await db(
                self._records.announce_files, turn.connection, frozenset(fetched)
            )
