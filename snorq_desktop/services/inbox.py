"""The window's operations on the inbox, each one transaction on the caller's
thread (the database worker), returning plain values and the Changes made."""

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.attachments import (
    FileCheck,
    FileToSend,
    content_type_for,
    guess_mime_type,
    refusal,
    refusal_by_size,
    takes_caption,
)
from snorq_desktop.domain.enums import ConversationStatus, Platform
from snorq_desktop.domain.errors import FileRefused, NotFound, PermissionDenied
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import (
    Changes,
    ConversationSummary,
    InboxPosition,
    InboxQuery,
    InboxView,
    ThreadHeader,
    ThreadMessage,
    ViewCounts,
)
from snorq_desktop.domain.platform_events import ReadReceipt
from snorq_desktop.domain.templates import MessageTemplate, TemplateToSend
from snorq_desktop.services.assignments import AssignmentService
from snorq_desktop.services.business_hours import BusinessHoursService
from snorq_desktop.services.drafts import DraftService
from snorq_desktop.services.labels import LabelService
from snorq_desktop.services.notes import NoteService
from snorq_desktop.services.quick_replies import QuickReplyService
from snorq_desktop.services.reply_journal import JournalledReply, ReplyJournal
from snorq_desktop.services.send_later import SendLaterService
from snorq_desktop.services.snooze import SnoozeService
from snorq_desktop.store import (
    assignments,
    attachments,
    inbox,
    inbox_counts,
    outbox,
    reply_windows,
    search,
    thread,
)
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store import outgoing_reactions as reactions
from snorq_desktop.store.change_notices import notify_changes
from snorq_desktop.store.compiled_reads import Reads
from snorq_desktop.store.identity import default_identity
from snorq_desktop.store.models import Conversation
from snorq_desktop.store.search import SearchStatistics
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.store.users import identity_of


class InboxService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        journal: ReplyJournal,
        *,
        acting_user_id: str | None = None,
        origin: str | None = None,
        reply_stored: Callable[[], None] = lambda: None,
    ) -> None:
        """``acting_user_id``: the signed-in person (replies are sent as them);
        None: the owner of the oldest organisation (the demo, tests).
        ``origin``: this app's id, on every NOTIFY it sends (its sync engine's
        too), so it can tell its own notices from the team's.
        ``reply_stored``: called (on the worker thread) once a reply waits to be
        sent: the outbox sender's bell, so it goes now rather than at a pass."""
        self._sessions = sessions
        self._reply_stored = reply_stored
        self._acting_user_id = acting_user_id
        # Reads are single statements: no BEGIN/ROLLBACK round trips around them.
        autocommit = sessions.kw["bind"].execution_options(isolation_level="AUTOCOMMIT")
        self._reads = sessionmaker(autocommit, expire_on_commit=False)
        # The window's hottest reads (a page, a thread, the counts) on a plain
        # connection: an ORM session around them cost a fifth of a page.
        self._quick_reads = autocommit.connect
        self._journal = journal
        self._identity: Identity | None = None
        self.origin = origin or new_id()
        self._statistics: tuple[float, SearchStatistics | None] = (0.0, None)
        self.labels = LabelService(sessions, self._reads, self._acting_as, self._tell_the_team)
        self.notes = NoteService(sessions, self._reads, self._acting_as, self._tell_the_team)
        self.drafts = DraftService(sessions, self._reads, self._acting_as)
        self.quick_replies = QuickReplyService(
            sessions, self._reads, self._acting_as, self._tell_the_team
        )
        self.send_later = SendLaterService(
            sessions, self._acting_as, self._tell_the_team, reply_stored
        )
        self.assignments = AssignmentService(
            sessions, self._reads, self._acting_as, self._tell_the_team
        )
        self.business_hours = BusinessHoursService(
            sessions, self._reads, self._acting_as, self._tell_the_team
        )
        self.snooze = SnoozeService(sessions, self._reads, self._acting_as, self._tell_the_team)

    # --- who ------------------------------------------------------------------

    def identity(self) -> Identity | None:
        with self._reads() as session:
            if self._acting_user_id is not None:
                self._identity = identity_of(session, self._acting_user_id)
            else:
                self._identity = default_identity(session)
        return self._identity

    def _acting_as(self) -> Identity:
        identity = self._identity or self.identity()
        if identity is None:
            raise LookupError("no organisation in this database")
        return identity

    @property
    def organization_id(self) -> str | None:
        return self._identity.organization_id if self._identity else None

    @property
    def _org(self) -> str:
        if self._identity is None and self.identity() is None:
            raise LookupError("no organisation in this database")
        assert self._identity is not None
        return self._identity.organization_id

    def unsent_replies(self) -> int:
        """My replies still "Sending…" (kept, and sent by the next app to sync)."""
        with self._reads() as session:
            return outbox.count_unsent(session, self._org, self._acting_as().user_id)

    def ping(self) -> None:
        with self._reads() as session:
            session.execute(text("SELECT 1"))

    # --- reading --------------------------------------------------------------

    def _for_me(self, query: InboxQuery) -> InboxQuery:
        """Mine is the signed-in person's: the query names them."""
        return replace(query, me=self._acting_as().user_id)

    def inbox_page(
        self, query: InboxQuery, after: InboxPosition | None, limit: int
    ) -> list[ConversationSummary]:
        query = self._for_me(query)
        with self._quick_reads() as session:
            typed = search.search_words(query.search)
            statistics = self._word_statistics(session, typed) if query.search.strip() else None
            # A search's rows come with the words that matched as their preview.
            return inbox.inbox_page(
                session, self._org, query, after=after, limit=limit, statistics=statistics
            )

    def summaries(self, conversation_ids: list[str]) -> dict[str, ConversationSummary]:
        with self._quick_reads() as session:
            return inbox.summaries(session, self._org, conversation_ids)

    def refreshed(
        self, query: InboxQuery, conversation_ids: frozenset[str]
    ) -> tuple[dict[str, ConversationSummary], set[str]]:
        """The current rows of these conversations, and which belong in ``query``."""
        query = self._for_me(query)
        with self._reads() as session:
            rows = inbox.summaries(session, self._org, conversation_ids)
            belong = inbox.matches(session, self._org, query, list(conversation_ids))
        return rows, belong

    def _word_statistics(self, session: Reads, words: list[str]) -> SearchStatistics:
        # PostgreSQL refreshes these when it analyses the table: reread now and
        # then, and for other words when a member's login got only some (0023).
        taken, statistics = self._statistics
        if statistics is None or time.monotonic() - taken > 600 or not statistics.knows(words):
            statistics = search.read_statistics(session, words)
            self._statistics = (time.monotonic(), statistics)
        return statistics

    def counts(self) -> ViewCounts:
        with self._quick_reads() as session:
            counts = inbox_counts.view_counts(session, self._org)
            soon = reply_windows.closing_soon_count(session, self._org)
            counts.counts[InboxView.CLOSING_SOON] = soon
            counts.counts.update(self.assignments.counts(session))
            return counts

    def thread(
        self, conversation_id: str, before: tuple[datetime, str] | None, limit: int = 50
    ) -> list[ThreadMessage]:
        with self._quick_reads() as session:
            return thread.thread_page(
                session, self._org, conversation_id, before=before, limit=limit
            )

    def thread_since(
        self, conversation_id: str, after: tuple[datetime, str]
    ) -> list[ThreadMessage]:
        with self._reads() as session:
            return thread.thread_since(session, self._org, conversation_id, after)

    def messages(self, message_ids: list[str]) -> list[ThreadMessage]:
        with self._reads() as session:
            return thread.thread_messages(session, self._org, message_ids)

    def header(self, conversation_id: str) -> ThreadHeader | None:
        with self._reads() as session:
            return thread.thread_header(session, self._org, conversation_id)

    # --- acting ---------------------------------------------------------------

    def _tell_the_team(self, session: Session, changes: Changes) -> Changes:
        """Every write NOTIFYs the other apps of the team in its own transaction."""
        notify_changes(session, self._org, changes, self.origin)
        return changes

    def open_conversation(self, conversation_id: str) -> Changes:
        with unit_of_work(self._sessions) as session:
            changed = actions.mark_read(session, self._org, conversation_id)
            if not changed:
                return Changes()
            return self._tell_the_team(session, Changes(conversations=frozenset({conversation_id})))

    def read_receipt(self, conversation_id: str) -> ReadReceipt | None:
        with self._reads() as session:
            return outbox.read_receipt(session, self._org, conversation_id)

    def mark_unread(self, conversation_id: str) -> Changes:
        with unit_of_work(self._sessions) as session:
            actions.mark_unread(session, self._org, conversation_id)
            return self._tell_the_team(session, Changes(conversations=frozenset({conversation_id})))

    def set_status(self, conversation_id: str, status: ConversationStatus) -> Changes:
        with unit_of_work(self._sessions) as session:
            actions.set_status(session, self._org, conversation_id, status)
            return self._tell_the_team(session, Changes(conversations=frozenset({conversation_id})))

    def send_reply(
        self, conversation_id: str, message_id: str, body: str, reply_to: str | None = None
    ) -> Changes:
        """Journal the reply, then store it as PENDING; the outbox sends it.
        ``reply_to``: the message of this conversation it answers (quoted)."""
        return self._journal_and_store(conversation_id, message_id, body, reply_to=reply_to)

    def react(self, conversation_id: str, message_id: str, emoji: str) -> Changes:
        """Our reaction on a customer's message ("" takes ours off), journalled and
        queued like a reply; only the thread changes, never the inbox order."""
        return self._journal_and_store(conversation_id, new_id(), emoji, reaction_to=message_id)

    def _journal_and_store(
        self, conversation_id: str, message_id: str, text: str, **attached: str | None
    ) -> Changes:
        """On disk first (a crash or a dropped connection loses nothing), then stored."""
        identity = self._identity or self.identity()
        assert identity is not None
        reply = JournalledReply(
            message_id=message_id,
            conversation_id=conversation_id,
            organization_id=identity.organization_id,
            sender_id=identity.user_id,
            text=text,
            written_at=datetime.now(UTC),
            **attached,
        )
        self._journal.add(reply)
        return self._store(reply)

    def send_file(
        self,
        conversation_id: str,
        message_id: str,
        path: Path,
        caption: str = "",
        reply_to: str | None = None,
    ) -> Changes:
        """A file reply: checked against what the platform takes, copied beside the
        journal, then stored PENDING with its bytes.  A caption the platform cannot
        carry with the file follows as a reply of its own."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise FileRefused(f"“{path.name}” could not be read ({error.strerror}).") from None
        platform = self._platform_of(conversation_id)
        mime = guess_mime_type(path.name)
        file = FileToSend(path.name, mime, data, content_type_for(platform, mime))
        if reason := refusal(platform, file):
            raise FileRefused(reason)
        with_file = caption if takes_caption(platform, file.content_type) else ""
        changes = self._journal_and_store(
            conversation_id,
            message_id,
            with_file,
            file_path=str(self._journal.keep_file(message_id, data)),
            file_name=file.name,
            mime_type=file.mime_type,
            reply_to=reply_to,
        )
        if caption and not with_file:
            changes = changes | self.send_reply(conversation_id, new_id(), caption)
        return changes

    def check_file(self, conversation_id: str, path: Path) -> FileCheck:
        """What the preview shows before ``path`` is sent here: its size, and why
        the platform would refuse it.  A file too large is never read whole."""
        platform = self._platform_of(conversation_id)
        name = path.name
        content_type = content_type_for(platform, guess_mime_type(name))
        apart = not takes_caption(platform, content_type)
        try:
            size = path.stat().st_size
            if not path.is_file():
                return FileCheck(name, None, content_type, f"“{name}” is not a file.", apart)
            if reason := refusal_by_size(platform, name, content_type, size):
                return FileCheck(name, size, content_type, reason, apart)
            data = path.read_bytes()
        except OSError as error:
            unread = f"“{name}” could not be read ({error.strerror})."
            return FileCheck(name, None, content_type, unread, apart)
        reason = refusal_by_size(platform, name, content_type, len(data))  # it may have changed
        return FileCheck(name, len(data), content_type, reason, apart, None if reason else data)

    def send_template(
        self,
        conversation_id: str,
        message_id: str,
        template: MessageTemplate,
        parameters: tuple[str, ...],
    ) -> Changes:
        """A WhatsApp template (outside the 24-hour window); the thread shows its text."""
        if reason := template.missing(parameters):
            raise FileRefused(reason)
        return self._journal_and_store(
            conversation_id,
            message_id,
            template.render(parameters),
            template=TemplateToSend(template.name, template.language, parameters).to_json(),
        )

    def saved_file(self, message_id: str) -> tuple[str, str, bytes] | None:
        """(name, MIME type, bytes) of a message's file, if the team keeps it."""
        with self._reads() as session:
            return attachments.saved_file(session, self._org, message_id)

    def _platform_of(self, conversation_id: str) -> Platform:
        with self._reads() as session:
            platform = session.execute(
                select(Conversation.platform).where(
                    Conversation.organization_id == self._org, Conversation.id == conversation_id
                )
            ).scalar_one_or_none()
        if platform is None:
            raise NotFound("That conversation no longer exists.")
        return platform

    def store_journalled_replies(self) -> Changes:
        """After a reconnect (or a crash): store what the journal still holds."""
        changes = Changes()
        for reply in self._journal.replies():
            changes = changes | self._store(reply)
        return changes

    def journalled(self, conversation_id: str) -> list[JournalledReply]:
        """Replies of this conversation still only on disk (reactions are no bubbles)."""
        return [
            r
            for r in self._journal.replies()
            if r.conversation_id == conversation_id and r.reaction_to is None
        ]

    def _store(self, reply: JournalledReply) -> Changes:
        ids = frozenset({reply.conversation_id})
        try:
            with unit_of_work(self._sessions) as session:
                if reply.reaction_to is not None:
                    self._store_reaction(session, reply)
                    changes = Changes(messages=ids)  # the inbox row stays as it was
                else:
                    self._store_reply(session, reply)
                    # Replying to an unassigned conversation takes it (#17.2).
                    assignments.take_if_unassigned(
                        session, reply.organization_id, reply.conversation_id, reply.sender_id
                    )
                    changes = Changes(conversations=ids, messages=ids)
                self._tell_the_team(session, changes)
        except (PermissionDenied, NotFound):
            # Refused for good (connection expired, conversation deleted): the
            # person sees why; keeping it would retry a refusal for ever.
            self._journal.remove(reply.message_id)
            raise
        self._reply_stored()  # committed: the sender may go before the journal is tidied
        self._journal.remove(reply.message_id)
        return changes

    def _store_reaction(self, session: Session, reply: JournalledReply) -> None:
        assert reply.reaction_to is not None
        found = reactions.set_my_reaction(
            session, reply.organization_id, reply.reaction_to, reply.text
        )
        if found != reply.conversation_id:  # never another conversation's message
            raise NotFound("That message is not in this conversation.")

    def _store_reply(self, session: Session, reply: JournalledReply) -> None:
        actions.add_reply(
            session,
            organization_id=reply.organization_id,
            conversation_id=reply.conversation_id,
            message_id=reply.message_id,
            sender_id=reply.sender_id,
            text=reply.text,
            file=self._journalled_file(reply),
            template=TemplateToSend.from_json(reply.template) if reply.template else None,
            reply_to=reply.reply_to,
        )

    def _journalled_file(self, reply: JournalledReply) -> FileToSend | None:
        if reply.file_path is None:
            return None
        try:
            data = Path(reply.file_path).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"The copy of “{reply.file_name}” is gone; attach it again.") from None
        mime = reply.mime_type or "application/octet-stream"
        platform = self._platform_of(reply.conversation_id)
        return FileToSend(reply.file_name or "file", mime, data, content_type_for(platform, mime))

    def retry(self, message_id: str) -> Changes:
        with unit_of_work(self._sessions) as session:
            conversation_id = actions.retry_failed(session, self._org, message_id)
            ids = frozenset({conversation_id})
            changes = self._tell_the_team(session, Changes(conversations=ids, messages=ids))
        self._reply_stored()
        return changes

    def unread_total(self) -> int:
        with self._reads() as session:
            return inbox_counts.unread_total(session, self._org)
