"""What the sync engine reads and writes: each method is one transaction, called
from a worker thread (the engine's loop only waits on the network).

Every write that changes what a window shows NOTIFYs the team in the same
transaction, tagged with ``origin`` (the app's own id), and returns the
changes so the app that made them shows them without waiting for its echo.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, exists, or_, select
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.attachments import DownloadedFile, FileToSend, MediaToFetch
from snorq_desktop.domain.enums import ConnectionStatus, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.domain.reply_window import ReplyClock
from snorq_desktop.domain.tokens import SecretToken, TokenSealer
from snorq_desktop.store import (
    attachments,
    automatic_replies,
    outbox,
    outgoing_reactions,
    reply_windows,
)
from snorq_desktop.store.change_notices import notify_changes
from snorq_desktop.store.connections import FreshTokens, read_tokens, refresh_tokens_once
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.models import Conversation, Message, PlatformConnection
from snorq_desktop.store.platform_apps import AppCredentials
from snorq_desktop.store.unit_of_work import unit_of_work


@dataclass(frozen=True)
class ConnectionRow:
    id: str
    organization_id: str
    platform: Platform
    platform_user_id: str
    last_sync_at: datetime | None


def _rows(rows: Sequence[Row[str, str, Platform, str, datetime | None]]) -> list[ConnectionRow]:
    return [ConnectionRow(a, b, c, d, e) for a, b, c, d, e in rows]


def _both(conversations: frozenset[str]) -> Changes:
    return Changes(conversations=conversations, messages=conversations)


class SyncRecords:
    def __init__(
        self, sessions: sessionmaker[Session], sealer: TokenSealer | None, origin: str
    ) -> None:
        self._sessions = sessions
        # Reads and the claim are single statements: in autocommit they take one
        # round trip, not three (BEGIN, the statement, COMMIT or ROLLBACK); that
        # is most of a reply's way from stored to sent.
        self._single = sessionmaker(
            sessions.kw["bind"].execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
        )
        self._sealer = sealer
        self.origin = origin

    def _tell(self, session: Session, organization_id: str, changes: Changes) -> Changes:
        notify_changes(session, organization_id, changes, self.origin)
        return changes

    # --- connections ------------------------------------------------------------------

    def active_connections(self, only: str | None = None) -> list[ConnectionRow]:
        """Every ACTIVE connection, or just ``only`` if it is one."""
        statement = self._active()
        if only is not None:
            statement = statement.where(PlatformConnection.id == only)
        with self._single() as session:
            return _rows(session.execute(statement).all())

    def connections_with_replies_waiting(self, now: datetime | None = None) -> list[ConnectionRow]:
        """The ACTIVE connections that have a reply nobody has begun sending (due
        by ``now``: a reply scheduled later waits), or a reaction of ours waiting."""
        mine = (
            Conversation.platform_connection_id == PlatformConnection.id,
            Message.conversation_id == Conversation.id,
        )
        waiting = or_(
            exists().where(
                *mine,
                Message.direction == MessageDirection.OUTBOUND,
                Message.status == MessageStatus.PENDING,
                Message.send_started_at.is_(None),
                outbox.due(now),
            ),
            exists().where(*mine, Message.reaction_unsent.isnot(None)),
        )
        with self._single() as session:
            return _rows(session.execute(self._active().where(waiting)).all())

    def connections_of(self, conversation_ids: frozenset[str]) -> list[ConnectionRow]:
        """The ACTIVE connections these conversations are on (of any organisation
        this login sees: the intake stores for all of them)."""
        of_them = exists().where(
            Conversation.platform_connection_id == PlatformConnection.id,
            Conversation.organization_id == PlatformConnection.organization_id,
            Conversation.id.in_(sorted(conversation_ids)),
        )
        with self._single() as session:
            return _rows(session.execute(self._active().where(of_them)).all())

    @staticmethod
    def _active() -> Select[str, str, Platform, str, datetime | None]:
        return (
            select(
                PlatformConnection.id,
                PlatformConnection.organization_id,
                PlatformConnection.platform,
                PlatformConnection.platform_user_id,
                PlatformConnection.last_sync_at,
            )
            .where(PlatformConnection.status == ConnectionStatus.ACTIVE)
            .order_by(PlatformConnection.id)
        )

    def business_account_of(self, connection_id: str) -> str | None:
        with self._single() as session:
            return session.execute(
                select(PlatformConnection.business_account_id).where(
                    PlatformConnection.id == connection_id
                )
            ).scalar_one_or_none()

    def set_status(self, connection_id: str, status: ConnectionStatus, error: str) -> None:
        with unit_of_work(self._sessions) as session:
            outbox.mark_connection(session, connection_id, status, error)

    # --- tokens -------------------------------------------------------------------------

    def access_token(self, connection: ConnectionRow) -> SecretToken:
        """Raises TokenKeyMissing (no key on this computer) or TokenUnreadable."""
        assert self._sealer is not None
        with self._single() as session:
            access, _refresh = read_tokens(
                session, self._sealer, connection.id, connection.organization_id
            )
        return access

    def refresh_tokens(
        self,
        connection: ConnectionRow,
        *,
        now: datetime,
        margin: timedelta,
        refresh: Callable[[SecretToken, AppCredentials | None], FreshTokens],
    ) -> SecretToken | None:
        assert self._sealer is not None
        with unit_of_work(self._sessions) as session:
            return refresh_tokens_once(
                session,
                self._sealer,
                connection.id,
                connection.organization_id,
                now=now,
                margin=margin,
                refresh=refresh,
            )

    # --- what polling found -----------------------------------------------------------

    def store_polled(self, connection: ConnectionRow, found: list[PlatformMessage]) -> Changes:
        with unit_of_work(self._sessions) as session:
            result = ingest_messages(
                session,
                organization_id=connection.organization_id,
                connection_id=connection.id,
                platform=connection.platform,
                messages=found,
            )
            return self._tell(session, connection.organization_id, result.changes)

    # --- the outbox ---------------------------------------------------------------------

    def queue_automatic_replies(self, connection: ConnectionRow, now: datetime) -> Changes:
        """The away and greeting messages the connection's recent customer messages
        call for, queued once (called by the app holding the connection's lease)."""
        with unit_of_work(self._sessions) as session:
            answered = automatic_replies.queue_automatic_replies(
                session, connection.organization_id, connection.id, now
            )
            return self._tell(session, connection.organization_id, _both(frozenset(answered)))

    def settle_crashed_sends(self, connection: ConnectionRow, older_than_seconds: int) -> Changes:
        with unit_of_work(self._sessions) as session:
            touched = outbox.settle_unknown_outcomes(
                session, connection.organization_id, connection.id, older_than_seconds
            )
            return self._tell(session, connection.organization_id, _both(frozenset(touched)))

    def pending(
        self, connection: ConnectionRow, now: datetime | None = None
    ) -> list[outbox.OutgoingReply]:
        with self._single() as session:
            return outbox.pending_replies(
                session, connection.organization_id, connection.id, now=now
            )

    def reply_clock(self, connection: ConnectionRow, conversation_id: str) -> ReplyClock | None:
        """A conversation's reply window (a scheduled reply is checked against it)."""
        with self._single() as session:
            return reply_windows.reply_clock(session, connection.organization_id, conversation_id)

    def claim(self, connection: ConnectionRow, message_id: str) -> bool:
        """Committed by the time it returns (one statement, autocommit)."""
        with self._single() as session:
            return outbox.claim(session, connection.organization_id, message_id)

    def release(self, connection: ConnectionRow, message_id: str) -> None:
        with unit_of_work(self._sessions) as session:
            outbox.release(session, connection.organization_id, message_id)

    def finish(
        self,
        connection: ConnectionRow,
        reply: outbox.OutgoingReply,
        external_id: str | None,
        reason: str | None,
    ) -> Changes:
        with unit_of_work(self._sessions) as session:
            if external_id is not None:
                outbox.mark_sent(session, connection.organization_id, reply.message_id, external_id)
            else:
                outbox.mark_failed(
                    session, connection.organization_id, reply.message_id, reason or "refused"
                )
            return self._tell(
                session, connection.organization_id, _both(frozenset({reply.conversation_id}))
            )

    def pending_reactions(
        self, connection: ConnectionRow
    ) -> list[outgoing_reactions.OutgoingReaction]:
        with self._single() as session:
            return outgoing_reactions.pending_reactions(
                session, connection.organization_id, connection.id
            )

    def settle_reaction(
        self,
        connection: ConnectionRow,
        reaction: outgoing_reactions.OutgoingReaction,
        *,
        delivered: bool,
    ) -> Changes:
        """Only the thread changes: a reaction never moves the conversation's row."""
        with unit_of_work(self._sessions) as session:
            found = outgoing_reactions.settle_reaction(
                session, connection.organization_id, reaction, delivered=delivered
            )
            threads = frozenset({found}) if found else frozenset()
            return self._tell(session, connection.organization_id, Changes(messages=threads))

    def file_to_send(self, message_id: str) -> FileToSend | None:
        with self._single() as session:
            return attachments.file_to_send(session, message_id)

    # --- customers' files -------------------------------------------------------------

    def media_to_fetch(self, connection: ConnectionRow) -> list[MediaToFetch]:
        with self._single() as session:
            return attachments.media_to_fetch(session, connection.organization_id, connection.id)

    def keep_file(self, media: MediaToFetch, file: DownloadedFile, name: str) -> None:
        with unit_of_work(self._sessions) as session:
            attachments.keep_downloaded(session, media, file, name)

    def unavailable(self, media: MediaToFetch, name: str, problem: str, size: int | None) -> None:
        with unit_of_work(self._sessions) as session:
            attachments.note_unavailable(session, media, name, problem, size)

    def announce_files(self, connection: ConnectionRow, message_ids: frozenset[str]) -> Changes:
        with unit_of_work(self._sessions) as session:
            conversations = attachments.conversations_of(session, message_ids)
            return self._tell(session, connection.organization_id, _both(conversations))
