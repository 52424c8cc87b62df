"""Read queries behind the window: inbox pages, counts, threads.

Every query is filtered by organisation, returns plain domain values, and
pages by keyset (never OFFSET), so page 1,000 costs what page 1 costs.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Text,
    and_,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from snorq_desktop.domain.attachments import AttachmentInfo
from snorq_desktop.domain.enums import ConversationStatus, MessageDirection, Platform
from snorq_desktop.domain.inbox import (
    ConversationSummary,
    InboxPosition,
    InboxQuery,
    InboxView,
    ThreadHeader,
    ThreadMessage,
    ViewCounts,
    reply_blocked_reason,
    template_only_reason,
)
from snorq_desktop.domain.templates import TemplateToSend
from snorq_desktop.store.models import (
    Attachment,
    Conversation,
    ConversationLabel,
    Message,
    PlatformConnection,
    User,
)

ACTIVITY = func.coalesce(Conversation.last_message_at, Conversation.created_at)
SENT_AT = func.coalesce(Message.platform_timestamp, Message.created_at)
# Spelled exactly as the GIN indexes are, so the planner uses them.
_CONTACT_TSV: ColumnElement[Any] = literal_column(
    "to_tsvector('simple'::regconfig, COALESCE(conversations.contact_name, ''))"
)
_CONTENT_TSV: ColumnElement[Any] = literal_column(
    "to_tsvector('simple'::regconfig, COALESCE(messages.content, ''))"
)
_WORD = re.compile(r"\w+", re.UNICODE)
# The seed's array of label names, read as psycopg hands it over (a list): no
# per-row conversion on the inbox's hottest path.
_LABEL_NAMES: ColumnElement[Any] = literal_column("conversations.labels").label("labels")


def _run(session: Session, statement: Any) -> Any:
    """Execute a Core select on the session's connection: these reads build no ORM
    objects, and skipping the ORM's result layer halves their Python cost."""
    return session.connection().execute(statement)


def search_words(text: str) -> list[str]:
    return list(_WORD.findall(text.lower())[:8])


def search_terms(text: str) -> str | None:
    """A prefix tsquery for what the user typed: every word must match the start
    of a word (``"ana blu"`` finds "Ana" who asked about the "blue" dress)."""
    return " & ".join(f"{word}:*" for word in search_words(text)) or None


def message_word_statistics(session: Session) -> tuple[float, dict[str, float]]:
    """How many messages there are, and the share of them holding each of the most
    common words: PostgreSQL's own statistics of the search index (from ANALYZE)."""
    total = session.execute(
        text("SELECT reltuples FROM pg_class WHERE relname = 'messages'")
    ).scalar_one_or_none()
    row = session.execute(
        text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'messages_content_search_idx'"
        )
    ).one_or_none()
    frequencies: dict[str, float] = {}
    if row is not None and row[0] is not None:
        frequencies = dict(zip(row[0], row[1], strict=False))
    return max(float(total or 0), 0.0), frequencies


def estimated_matches(search: str, statistics: tuple[float, dict[str, float]]) -> float:
    """Messages a search is expected to match: the rarest of its words, each word
    counted as every common word it begins (a prefix search)."""
    total, frequencies = statistics
    shares = [
        min(1.0, sum(f for lexeme, f in frequencies.items() if lexeme.startswith(word)))
        for word in search_words(search)
    ]
    return total * min(shares) if shares else 0.0


def _summary_columns() -> Any:  # a Select of many typed columns
    return select(
        Conversation.id,
        Conversation.platform,
        Conversation.contact_name,
        Conversation.contact_username,
        Conversation.contact_external_id,
        Conversation.contact_avatar_url,
        Conversation.last_message_preview,
        Conversation.last_message_at,
        ACTIVITY.label("activity"),
        Conversation.unread_count,
        Conversation.status,
        PlatformConnection.status.label("connection_status"),
        _LABEL_NAMES,
    ).join(PlatformConnection, PlatformConnection.id == Conversation.platform_connection_id)


def _summary(row: Row[Any]) -> ConversationSummary:
    return ConversationSummary(
        id=row.id,
        platform=row.platform,
        contact_name=row.contact_name or row.contact_username or row.contact_external_id,
        contact_avatar_url=row.contact_avatar_url,
        last_message_preview=row.last_message_preview,
        last_message_at=row.last_message_at,
        activity=row.activity,
        unread_count=row.unread_count,
        status=row.status,
        connection_status=row.connection_status,
        labels=tuple(row.labels) if row.labels else (),
    )


def _is(column: InstrumentedAttribute[Any], value: StrEnum) -> ColumnElement[bool]:
    # Compared as text: under row-level security (a member's own login, migration
    # 0012) PostgreSQL uses a column's statistics only through leakproof
    # operators, and the enum's = and <> are not; it then guesses that one row
    # of 100,000 is not archived and scans and sorts the whole organisation
    # instead of reading the first 100 by the inbox index (50x slower).
    return cast(column, Text) == value.value


def _view_filter(view: InboxView) -> ColumnElement[bool]:
    not_archived = ~_is(Conversation.status, ConversationStatus.ARCHIVED)
    if view.platform is not None:
        return and_(_is(Conversation.platform, view.platform), not_archived)
    if view.status is not None:
        return _is(Conversation.status, view.status)
    if view is InboxView.UNREAD:
        return and_(Conversation.unread_count > 0, not_archived)
    return not_archived


def _query_filter(query: InboxQuery) -> ColumnElement[bool]:
    """The view, narrowed to one label's conversations in a label's view."""
    if query.label_id is None:
        return _view_filter(query.view)
    has_label = (
        select(ConversationLabel.conversation_id)
        .where(
            ConversationLabel.conversation_id == Conversation.id,
            ConversationLabel.label_id == query.label_id,
        )
        .exists()
    )
    return and_(_view_filter(query.view), has_label)


def _tsquery(terms: str) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'::regconfig"), terms)


def _search_filter(organization_id: str, terms: str) -> ColumnElement[bool]:
    """Does this conversation match, tested row by row.

    A correlated ``LIMIT 1`` subquery, on purpose: PostgreSQL cannot turn it into
    one hashed set of every matching message (11 s for a common word over 5M
    messages); it reads each conversation's messages by the thread index and
    stops at the first hit (4 ms for a page of 100).
    """
    first_hit = (
        select(literal(True))
        .where(
            Message.conversation_id == Conversation.id,
            Message.organization_id == organization_id,
            _CONTENT_TSV.op("@@")(_tsquery(terms)),
        )
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    return or_(_CONTACT_TSV.op("@@")(_tsquery(terms)), func.coalesce(first_hit, False))


SEARCH_CANDIDATE_CAP = 20_000
# How long the index lookup of a search may take before the word counts as
# common; then testing conversations in inbox order finds a page sooner.
SEARCH_CANDIDATE_BUDGET_MS = 25


def search_candidates(
    session: Session,
    organization_id: str,
    search: str,
    cap: int = SEARCH_CANDIDATE_CAP,
    statistics: tuple[float, dict[str, float]] | None = None,
) -> frozenset[str] | None:
    """The conversations a search can match, straight from the two GIN indexes;
    None when the words are so common that more than ``cap`` messages match
    (then walking the inbox in order and testing each conversation is faster).

    A rare word then costs a few index lookups instead of a pass over the inbox.
    """
    terms = search_terms(search)
    if terms is None:
        return None
    if statistics is not None and estimated_matches(search, statistics) > cap:
        return None  # a common word: the index would hand over most of the inbox
    # A safety net for words the statistics do not know: past the budget the
    # lookup is cancelled and the search walks the inbox instead.
    try:
        with session.begin_nested():
            session.execute(text(f"SET LOCAL statement_timeout = {SEARCH_CANDIDATE_BUDGET_MS}"))
            # Through the database's snorq_search_candidates: as the owner role it
            # may use the GIN indexes, which a member's row-level security bars
            # (the function checks the caller is a member of the organisation).
            found = session.execute(
                text("SELECT * FROM snorq_search_candidates(:org, :terms, :cap)"),
                {"org": organization_id, "terms": terms, "cap": cap},
            ).all()
            session.execute(text("SET LOCAL statement_timeout = 0"))
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != "57014":  # query_canceled
            raise
        return None
    messages = [row[0] for row in found if not row[1]]
    if len(messages) > cap:
        return None
    return frozenset(row[0] for row in found)


def inbox_page(
    session: Session,
    organization_id: str,
    query: InboxQuery,
    *,
    after: InboxPosition | None = None,
    limit: int = 100,
    candidates: frozenset[str] | None = None,
) -> list[ConversationSummary]:
    """The next ``limit`` conversations after ``after``, newest activity first.

    ``candidates``: for a search, the ids :func:`search_candidates` found (None:
    test each conversation against the search instead).
    """
    statement = _summary_columns().where(
        Conversation.organization_id == organization_id, _query_filter(query)
    )
    if candidates is not None and search_terms(query.search):
        statement = statement.where(Conversation.id.in_(candidates or [""]))
    elif terms := search_terms(query.search):
        statement = statement.where(_search_filter(organization_id, terms))
    if after is not None:
        statement = statement.where(
            tuple_(ACTIVITY, Conversation.id) < tuple_(after.activity, after.conversation_id)
        )
    statement = statement.order_by(ACTIVITY.desc(), Conversation.id.desc()).limit(limit)
    return [_summary(row) for row in _run(session, statement)]


def summaries(
    session: Session, organization_id: str, conversation_ids: Iterable[str]
) -> dict[str, ConversationSummary]:
    ids = list(conversation_ids)
    if not ids:
        return {}
    rows = session.execute(
        _summary_columns().where(
            Conversation.organization_id == organization_id, Conversation.id.in_(ids)
        )
    )
    return {row.id: _summary(row) for row in rows}


def matches(
    session: Session, organization_id: str, query: InboxQuery, conversation_ids: Sequence[str]
) -> set[str]:
    """Which of these conversations belong in ``query``'s list (after a change)."""
    if not conversation_ids:
        return set()
    statement = select(Conversation.id).where(
        Conversation.organization_id == organization_id,
        Conversation.id.in_(list(conversation_ids)),
        _query_filter(query),
    )
    if terms := search_terms(query.search):
        statement = statement.where(_search_filter(organization_id, terms))
    return set(session.execute(statement).scalars())


def view_counts(session: Session, organization_id: str) -> ViewCounts:
    """Every sidebar count in one pass, and the unread badge from its partial index."""
    not_archived = Conversation.status != ConversationStatus.ARCHIVED
    columns = {
        InboxView.ALL: func.count().filter(not_archived),
        InboxView.UNREAD: func.count().filter(and_(not_archived, Conversation.unread_count > 0)),
        InboxView.OPEN: func.count().filter(Conversation.status == ConversationStatus.OPEN),
        InboxView.CLOSED: func.count().filter(Conversation.status == ConversationStatus.CLOSED),
        InboxView.ARCHIVED: func.count().filter(Conversation.status == ConversationStatus.ARCHIVED),
    }
    for view in (InboxView.TIKTOK, InboxView.WHATSAPP, InboxView.FACEBOOK):
        columns[view] = func.count().filter(
            and_(not_archived, Conversation.platform == view.platform)
        )
    row = session.execute(
        select(*columns.values()).where(Conversation.organization_id == organization_id)
    ).one()
    unread = session.execute(
        select(func.coalesce(func.sum(Conversation.unread_count), 0)).where(
            Conversation.organization_id == organization_id, Conversation.unread_count > 0
        )
    ).scalar_one()
    return ViewCounts(counts=dict(zip(columns, row, strict=True)), unread_messages=int(unread))


def unread_total(session: Session, organization_id: str) -> int:
    return int(
        session.execute(
            select(func.coalesce(func.sum(Conversation.unread_count), 0)).where(
                Conversation.organization_id == organization_id, Conversation.unread_count > 0
            )
        ).scalar_one()
    )


_QUOTED = aliased(Message, name="quoted")


def _quoted_text() -> Any:
    """The preview of the message a reply answers, when that message is stored."""
    return (
        select(func.coalesce(_QUOTED.content, literal("")).label("q"))
        .where(
            _QUOTED.conversation_id == Message.conversation_id,
            _QUOTED.external_id == Message.reply_to_external_id,
        )
        .limit(1)
        .scalar_subquery()
    )


def _quote_of(content: str | None, kept: bool) -> str | None:
    if not kept:
        return None
    return " ".join((content or "").split())[:140] or "a message"


def _reactions(found: Any) -> tuple[str, ...]:
    if not isinstance(found, dict):
        return ()
    return tuple(str(found[who]) for who in ("customer", "business") if found.get(who))


def _thread_columns() -> Any:  # a Select of many typed columns
    columns = select(
        Message.id,
        Message.direction,
        Message.content,
        Message.content_type,
        Message.media_url,
        Message.media_type,
        Message.status,
        SENT_AT.label("sent_at"),
        User.name.label("sender_name"),
        User.email.label("sender_email"),
        Message.failure_reason,
        Message.template,
        Attachment.file_name,
        Attachment.size_bytes,
        Attachment.content.isnot(None).label("content_kept"),
        Attachment.problem,
        Message.reply_to_external_id,
        _quoted_text().label("quoted"),
        Message.forwarded,
        Message.sent_elsewhere,
        Message.edited_at,
        Message.deleted_at,
        Message.reactions,
    ).outerjoin(User, User.id == Message.sent_by_user_id)
    return columns.outerjoin(Attachment, Attachment.message_id == Message.id)


def _message(row: Row[Any]) -> ThreadMessage:
    sender = None
    if row.direction is MessageDirection.OUTBOUND:
        sender = row.sender_name or row.sender_email
    return ThreadMessage(
        id=row.id,
        direction=row.direction,
        content=row.content,
        content_type=row.content_type,
        media_url=row.media_url,
        media_type=row.media_type,
        status=row.status,
        sent_at=row.sent_at,
        sender_name=sender,
        failure_reason=row.failure_reason,
        attachment=(
            AttachmentInfo(row.file_name, row.size_bytes, row.content_kept, row.problem)
            if row.file_name is not None
            else None
        ),
        template_name=TemplateToSend.from_json(row.template).name if row.template else None,
        reply_to_id=row.reply_to_external_id,
        quoted=_quote_of(row.quoted, row.quoted is not None),
        forwarded=row.forwarded,
        sent_elsewhere=row.sent_elsewhere,
        edited=row.edited_at is not None,
        deleted=row.deleted_at is not None,
        reactions=_reactions(row.reactions),
    )


def thread_page(
    session: Session,
    organization_id: str,
    conversation_id: str,
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[ThreadMessage]:
    """Up to ``limit`` messages said before ``before`` (the newest when None), oldest first."""
    statement = _thread_columns().where(
        Message.organization_id == organization_id, Message.conversation_id == conversation_id
    )
    if before is not None:
        statement = statement.where(tuple_(SENT_AT, Message.id) < tuple_(before[0], before[1]))
    statement = statement.order_by(SENT_AT.desc(), Message.id.desc()).limit(limit)
    rows = list(_run(session, statement))
    rows.reverse()
    return [_message(row) for row in rows]


def thread_messages(
    session: Session, organization_id: str, message_ids: Iterable[str]
) -> list[ThreadMessage]:
    ids = list(message_ids)
    if not ids:
        return []
    rows = session.execute(
        _thread_columns()
        .where(Message.organization_id == organization_id, Message.id.in_(ids))
        .order_by(SENT_AT, Message.id)
    )
    return [_message(row) for row in rows]


def thread_since(
    session: Session, organization_id: str, conversation_id: str, after: tuple[datetime, str]
) -> list[ThreadMessage]:
    """Messages said after ``after``, oldest first (a thread catching up)."""
    rows = session.execute(
        _thread_columns()
        .where(
            Message.organization_id == organization_id,
            Message.conversation_id == conversation_id,
            tuple_(SENT_AT, Message.id) > tuple_(after[0], after[1]),
        )
        .order_by(SENT_AT, Message.id)
        .limit(500)
    )
    return [_message(row) for row in rows]


def thread_header(
    session: Session, organization_id: str, conversation_id: str
) -> ThreadHeader | None:
    row = session.execute(
        _summary_columns()
        .add_columns(PlatformConnection.error_message, Conversation.platform_connection_id)
        .where(Conversation.organization_id == organization_id, Conversation.id == conversation_id)
    ).one_or_none()
    if row is None:
        return None
    summary = _summary(row)
    reason = reply_blocked_reason(summary.connection_status, summary.platform)
    template_only = None
    if summary.platform is Platform.WHATSAPP:
        last_inbound, now = session.execute(
            select(func.max(SENT_AT), func.now()).where(
                Message.conversation_id == conversation_id,
                Message.direction == MessageDirection.INBOUND,
            )
        ).one()
        template_only = template_only_reason(summary.platform, last_inbound, now)
    return ThreadHeader(
        conversation=summary,
        connection_error=row.error_message,
        can_reply=reason is None,
        reply_blocked_reason=reason,
        template_only_reason=template_only,
        connection_id=row.platform_connection_id,
    )
