"""The outbox: replies handed to their platform as soon as they are stored.

The service that stores a reply rings the :class:`OutboxBell` (from its worker
thread); the sender wakes on the engine's loop and sends what waits, connection
by connection, without waiting for a polling pass.  A pass sends too, after
polling: replies stored by another app whose sender could not have the lock.

What holds whoever sends:
- a reply is claimed in its own committed transaction before the request goes
  out, so it is never sent twice (a crash mid-send leaves it claimed: the next
  pass marks it FAILED with a sentence, never resends it silently);
- automatic answers (away, greeting: store/automatic_replies.py) are queued
  by the connection's lease holder just before it sends, keyed once per
  conversation and period in the database;
- one app of the team works a connection at a time (its lease), and in
  this app one send run per connection, so a conversation's replies keep
  their order; after a reply that could not go, the rest of its conversation waits.
"""

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime

from snorq_desktop.domain.enums import ContentType
from snorq_desktop.platforms.client import ReactionSender, Recipient, TemplateSender
from snorq_desktop.platforms.errors import (
    PermanentFailure,
    PlatformError,
    RateLimited,
    TemporaryFailure,
    TokenExpired,
)
from snorq_desktop.store import outbox
from snorq_desktop.store.outgoing_reactions import OutgoingReaction
from snorq_desktop.store.sync_records import ConnectionRow, SyncRecords
from snorq_desktop.sync.connection_work import ConnectionWork, PassReport, Turn

# A send that began this long ago and never finished was cut off by a crash.
UNFINISHED_SEND_SECONDS = 120


class OutboxBell:
    """Rung from any thread when a reply is stored.  A ring before a sender
    listens is kept, so the first sender to listen sends it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listener: Callable[[], None] | None = None
        self._rung = False

    def ring(self) -> None:
        with self._lock:
            listener, self._rung = self._listener, self._listener is None
        if listener is not None:
            listener()

    def listen(self, listener: Callable[[], None]) -> None:
        """``listener`` is called on the ringing thread: it must only hand over."""
        with self._lock:
            self._listener, rung, self._rung = listener, self._rung, False
        if rung:
            listener()

    def stop_listening(self) -> None:
        with self._lock:
            self._listener = None


class OutboxSender:
    def __init__(
        self, records: SyncRecords, work: ConnectionWork, clock: Callable[[], datetime]
    ) -> None:
        self._records = records
        self._work = work
        self._clock = clock
        self._sending: dict[str, asyncio.Lock] = {}  # connection id -> its one send run

    async def send_waiting(self) -> PassReport:
        """Every reply waiting now, each connection under its lock (not polled)."""
        report = PassReport()
        connections = await asyncio.to_thread(
            self._records.connections_with_replies_waiting, self._clock()
        )
        report.connections = len(connections)
        await asyncio.gather(*(self.send_for(c, report) for c in connections))
        return report

    async def send_for(self, connection: ConnectionRow, report: PassReport) -> None:
        """The connection's waiting replies, if this app can take its lock now."""
        async with self._work.turn(connection, report) as turn:
            if turn is None or self._work.waiting(connection, report):
                return
            async with self._work.guarded(turn, report):
                await self.send(turn, report)

    async def send(self, turn: Turn, report: PassReport) -> None:
        """The connection's waiting replies, oldest first; the caller holds its lock."""
        run = self._sending.setdefault(turn.connection.id, asyncio.Lock())
        async with run:
            # The away and greeting messages are queued here, by the lease holder
            # alone, whoever stored the customer's message (a poll, or any app's
            # intake of a webhook); the database keeps each to once.
            queued = await asyncio.to_thread(
                self._records.queue_automatic_replies, turn.connection, self._clock()
            )
            report.changes = report.changes | queued
            await self._send_pending(turn, report)

    async def _send_pending(self, turn: Turn, report: PassReport) -> None:
        db, records, connection = asyncio.to_thread, self._records, turn.connection
        replies = await db(records.pending, connection, self._clock())
        held: set[str] = set()  # conversations whose earlier reply is still waiting
        for reply in replies:
            if reply.conversation_id in held:
                continue  # keep the order within a conversation
            if not await db(records.claim, connection, reply.message_id):
                held.add(reply.conversation_id)  # someone else is sending it
                continue
            try:
                if reply.send_at is not None:
                    await self._check_window(connection, reply)
                external_id = await self._deliver(turn, reply)
            except PermanentFailure as refused:
                changes = await db(records.finish, connection, reply, None, refused.sentence)
                report.changes = report.changes | changes
                report.failed += 1
                continue
            except (TokenExpired, RateLimited, TemporaryFailure):
                await db(records.release, connection, reply.message_id)
                raise
            except PlatformError as other:
                await db(records.release, connection, reply.message_id)
                held.add(reply.conversation_id)
                report.errors.append(other.sentence)
                continue
            changes = await db(records.finish, connection, reply, external_id, None)
            report.changes = report.changes | changes
            report.sent += 1
        for reaction in await db(records.pending_reactions, connection):
            await self._react(turn, reaction, report)

    async def _check_window(self, connection: ConnectionRow, reply: outbox.OutgoingReply) -> None:
        """A scheduled reply whose reply window closed while it waited is refused
        here, with the reason on its bubble, before the platform is asked."""
        clock = await asyncio.to_thread(
            self._records.reply_clock, connection, reply.conversation_id
        )
        if clock is None:
            return
        refusal = clock.refusal_at(self._clock(), template=reply.template is not None)
        if refusal is not None:
            raise PermanentFailure(f"Not sent at its time: {refusal}")

    async def _react(self, turn: Turn, reaction: OutgoingReaction, report: PassReport) -> None:
        """One reaction of ours.  A temporary failure leaves it queued (sending it
        again is harmless); a refusal takes it back off the bubble."""
        client, connection = turn.client, turn.connection
        to = Recipient(reaction.conversation_external_id, reaction.contact_id, None)
        delivered = True
        try:
            if not isinstance(client, ReactionSender):
                raise PermanentFailure("This platform does not take reactions.")
            await client.send_reaction(
                turn.account, to, reaction.target_external_id, reaction.emoji
            )
        except PermanentFailure as refused:
            report.errors.append(f"A reaction could not be sent: {refused.sentence}")
            report.failed += 1
            delivered = False
        except (TokenExpired, RateLimited, TemporaryFailure):
            raise  # still queued: the connection's turn deals with these
        except PlatformError as other:
            report.errors.append(other.sentence)
            return  # still queued, tried again at the next send
        changes = await asyncio.to_thread(
            self._records.settle_reaction, connection, reaction, delivered=delivered
        )
        report.changes = report.changes | changes
        report.sent += delivered

    async def _deliver(self, turn: Turn, reply: outbox.OutgoingReply) -> str:
        """Hand one reply to its platform: a template, a file, or text."""
        client, account = turn.client, turn.account
        to = Recipient(reply.conversation_external_id, reply.contact_id, reply.last_inbound_at)
        if reply.template is not None:
            if not isinstance(client, TemplateSender):
                raise PermanentFailure("Only WhatsApp sends message templates.")
            return await client.send_template(account, to, reply.template)
        if reply.content_type is not ContentType.TEXT:
            file = await asyncio.to_thread(self._records.file_to_send, reply.message_id)
            if file is None:
                raise PermanentFailure("The file of this reply is no longer stored.")
            return await client.send_file(
                account, to, file, reply.text or None, now=self._clock(), reply_to=reply.reply_to
            )
        return await client.send_text(
            account, to, reply.text, now=self._clock(), reply_to=reply.reply_to
        )
