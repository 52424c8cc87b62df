"""Read queries behind the window: inbox pages, counts, threads.

Every query is filtered by organisation, returns plain domain values, and
pages by keyset (never OFFSET), so page 1,000 costs what page 1 costs.
"""

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Row,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

from snorq_desktop.domain.enums import (
    ConnectionStatus,
    ConversationStatus,
    Platform,
)
from snorq_desktop.domain.inbox import (
    ConversationSummary,
    InboxPosition,
    InboxQuery,
    InboxView,
)
from snorq_desktop.store.assignments import assignment_filter
from snorq_desktop.store.compiled_reads import Reads, explain, fetch, members
from snorq_desktop.store.models import (
    Conversation,
    ConversationLabel,
    Message,
    PlatformConnection,
)
from snorq_desktop.store.reply_windows import closing_soon
from snorq_desktop.store.search import (
    SearchPlan,
    SearchStatistics,
    choose_plan,
    rarest_word,
    search_terms,
    search_words,
)
from snorq_desktop.store.snooze import is_awake, is_snoozed
from snorq_desktop.store.view_split import split_filter

ACTIVITY = func.coalesce(Conversation.last_message_at, Conversation.created_at)
SENT_AT = func.coalesce(Message.platform_timestamp, Message.created_at)
# Spelled exactly as the GIN indexes are, so the planner uses them.
_CONTACT_TSV: ColumnElement[Any] = literal_column(
    "to_tsvector('simple'::regconfig, COALESCE(conversations.contact_name, ''))"
)
_CONTENT_TSV: ColumnElement[Any] = literal_column(
    "to_tsvector('simple'::regconfig, COALESCE(messages.content, ''))"
)
# The seed's array of label names, read as psycopg hands it over (a list): no
# per-row conversion on the inbox's hottest path.
_LABEL_NAMES: ColumnElement[Any] = literal_column("conversations.labels").label("labels")


def _summary_columns(preview: ColumnElement[Any] | None = None) -> Any:  # a Select of many columns
    """``preview``: a search's matching message, shown instead of the latest one
    where there is one."""
    return select(
        Conversation.id,
        Conversation.platform,
        Conversation.contact_name,
        Conversation.contact_username,
        Conversation.contact_external_id,
        Conversation.contact_avatar_url,
        Conversation.last_message_preview
        if preview is None
        else func.coalesce(preview, Conversation.last_message_preview).label(
            "last_message_preview"
        ),
        Conversation.last_message_at,
        ACTIVITY.label("activity"),
        Conversation.unread_count,
        Conversation.status,
        PlatformConnection.status.label("connection_status"),
        _LABEL_NAMES,
        Conversation.last_inbound_at,
        Conversation.assignee_user_id,
        Conversation.snoozed_until,
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
        last_inbound_at=row.last_inbound_at,
        assignee_id=row.assignee_user_id,
        snoozed_until=row.snoozed_until,
    )


def _is(column: InstrumentedAttribute[Any], value: StrEnum) -> ColumnElement[bool]:
    # Compared as text: under row-level security (a member's own login, migration
    # 0013) PostgreSQL uses a column's statistics only through leakproof
    # operators, and the enum's = and <> are not; it then guesses that one row
    # of 100,000 is not archived and scans and sorts the whole organisation
    # instead of reading the first 100 by the inbox index (50x slower).
    return cast(column, Text) == value.value


def _view_filter(view: InboxView, me: Any = None) -> ColumnElement[bool]:
    """``me``: the signed-in person's id (or a bind parameter standing for it)."""
    not_archived = ~_is(Conversation.status, ConversationStatus.ARCHIVED)
    if view in (InboxView.MINE, InboxView.UNASSIGNED):
        return assignment_filter(view, me)
    if view.platform is not None:
        return and_(_is(Conversation.platform, view.platform), not_archived)
    if view.status is not None:
        return _is(Conversation.status, view.status)
    if view is InboxView.UNREAD:
        return and_(Conversation.unread_count > 0, not_archived)
    if view is InboxView.CLOSING_SOON:
        return and_(closing_soon(), not_archived)
    return not_archived


def _shown_filter(query: InboxQuery, me: Any, searching: bool) -> ColumnElement[bool]:
    """The view, without the snoozed (the Snoozed view: only them), and split.
    A search finds the snoozed too: a customer looked for by name is there,
    snoozed or not (the row says until when)."""
    parts = [_view_filter(query.view, me), split_filter(query.split)]
    if query.view is InboxView.SNOOZED:
        parts.append(is_snoozed())
    elif not searching:
        parts.append(is_awake())
    return and_(*parts)


def _query_filter(
    query: InboxQuery, label: Any = None, me: Any = None, *, searching: bool | None = None
) -> ColumnElement[bool]:
    """The view, narrowed to one label's conversations in a label's view
    (``label``: the label's id, or a bind parameter standing for it).
    ``searching``: None, whether ``query`` has words to search."""
    me = query.me if me is None else me
    if searching is None:
        searching = bool(search_words(query.search))
    if query.label_id is None:
        return _shown_filter(query, me, searching)
    has_label = (
        select(ConversationLabel.conversation_id)
        .where(
            ConversationLabel.conversation_id == Conversation.id,
            ConversationLabel.label_id == (query.label_id if label is None else label),
        )
        .exists()
    )
    return and_(_shown_filter(query, me, searching), has_label)


def _tsquery(terms: "str | ColumnElement[Any]") -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'::regconfig"), terms)


def _holds_every_word(organization_id: Any, terms: Any) -> tuple[ColumnElement[bool], ...]:
    """A message of the conversation row at hand that holds every word."""
    return (
        Message.conversation_id == Conversation.id,
        Message.organization_id == organization_id,
        _CONTENT_TSV.op("@@")(_tsquery(terms)),
    )


def _search_filter(organization_id: Any, terms: Any) -> ColumnElement[bool]:
    """Does this conversation match, tested row by row.

    A correlated ``LIMIT 1`` subquery, on purpose: PostgreSQL cannot turn it into
    one hashed set of every matching message (11 s for a common word over 5M
    messages); it reads each conversation's messages by the thread index and
    stops at the first hit (4 ms for a page of 100).
    """
    first_hit = (
        select(literal(True))
        .where(*_holds_every_word(organization_id, terms))
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    return or_(_CONTACT_TSV.op("@@")(_tsquery(terms)), func.coalesce(first_hit, False))


def _search_hits(organization_id: Any, several_words: bool, names: bool) -> Any:
    """Per conversation whose messages hold every word, its newest such message's
    text: read from the search index by the rarest word alone (with a common
    word in the index lookup, PostgreSQL would first gather every message of
    the common word), the other words checked on the messages it found; and
    with ``names``, the conversations whose contact's name holds every word
    (their text NULL).

    Through a SECURITY DEFINER function (migration 0030): under a member's
    row-level security PostgreSQL may not use the indexes for ``@@`` (not
    leakproof) and would read every message; the function checks that the
    login belongs to the organisation and reads the indexes as the owner role."""
    terms = bindparam("terms", type_=String)
    found = (
        func.snorq_search_hits(
            organization_id,
            bindparam("rarest", type_=String),
            terms if several_words else null(),
            terms if names else null(),
        )
        .table_valued("conversation_id", "content")
        .render_derived()
    )
    return select(found.c.conversation_id, found.c.content).cte("hits")


def _hit_texts(hits: Any) -> ColumnElement[Any]:
    """The hits' texts by conversation, gathered once for the statement (an
    uncorrelated subquery: PostgreSQL's InitPlan), looked up by each row shown."""
    texts = select(
        func.jsonb_object_agg(hits.c.conversation_id, hits.c.content).filter(
            hits.c.content.is_not(None)
        )
    ).scalar_subquery()
    return texts.op("->>", return_type=Text)(Conversation.id)


def _newest_hit(organization_id: Any, terms: Any) -> Any:
    """A walked conversation's newest message holding every word: its thread read
    newest first by the thread index, stopping at the first hit (a LATERAL
    with LIMIT 1, so PostgreSQL cannot turn it into one hashed set of every
    matching message: 11 s for a common word over 5M messages, against a few
    ms for a page of 100)."""
    return (
        select(Message.id, Message.content)
        .where(*_holds_every_word(organization_id, terms))
        .order_by(SENT_AT.desc(), Message.id.desc())
        .limit(1)
        .lateral("hit")
    )


def _page_statement(shape: tuple[Any, ...]) -> Any:  # a Select of many typed columns
    """The page, and when searching each row's newest matching message, in one
    statement whatever the plan."""
    query, plan, several_words, paging = shape
    org = bindparam("org", type_=String)
    label = bindparam("label", type_=String) if query.label_id is not None else None
    terms = bindparam("terms", type_=String)
    named = _CONTACT_TSV.op("@@")(_tsquery(terms))
    order: ColumnElement[Any] = ACTIVITY
    if plan is SearchPlan.WALK:
        hit = _newest_hit(org, terms)
        statement = (
            _summary_columns(hit.c.content)
            .outerjoin(hit, literal(True))
            .where(or_(named, hit.c.id.is_not(None)))
        )
    elif plan is SearchPlan.WALK_FOUND:
        hits = _search_hits(org, several_words, names=False)
        # IN (subquery): one hashed set of the found, probed row by row.
        statement = _summary_columns(_hit_texts(hits)).where(
            or_(named, Conversation.id.in_(select(hits.c.conversation_id)))
        )
    elif plan is SearchPlan.FOUND:
        hits = _search_hits(org, several_words, names=True)
        # = ANY(ARRAY(…)): the found ids are gathered once, in the server, then
        # each read by its primary key.  (An IN would let the planner, which
        # cannot count a prefix search well, hash-join the whole inbox.)
        found = select(hits.c.conversation_id).scalar_subquery()
        statement = _summary_columns(_hit_texts(hits)).where(
            Conversation.id == func.any(func.array(found))
        )
        # Sorted by a value no index holds, so PostgreSQL sorts the few found
        # instead of walking the inbox index in order looking for them.
        order = ACTIVITY + literal_column("interval '0 seconds'")
    else:
        statement = _summary_columns()
    statement = statement.where(
        Conversation.organization_id == org,
        _query_filter(query, label, bindparam("me", type_=String), searching=plan is not None),
    )
    if paging:
        statement = statement.where(
            tuple_(ACTIVITY, Conversation.id)
            < tuple_(
                bindparam("after_at", type_=DateTime(timezone=True)),
                bindparam("after_id", type_=String),
            )
        )
    return statement.order_by(order.desc(), Conversation.id.desc()).limit(
        bindparam("limit", type_=Integer)
    )


def _page_parts(
    organization_id: str,
    query: InboxQuery,
    after: InboxPosition | None,
    limit: int,
    statistics: SearchStatistics | None,
    plan: SearchPlan | None,
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The page statement's shape (which compiled statement) and its values."""
    words = search_words(query.search)
    values: dict[str, Any] = {
        "org": organization_id,
        "limit": limit,
        "label": query.label_id,
        "me": query.me,
    }
    if words:
        stats = statistics or SearchStatistics()
        plan = plan or choose_plan(words, stats, limit)
        values["terms"] = search_terms(query.search)
        if stats.message_words.shares:
            values["rarest"] = f"{rarest_word(words, stats)}:*"
        else:
            # No word statistics (a member's login may not read them: they count
            # every organisation's words): the index reads every word at once,
            # so a common word guessed as the rare one cannot cost its messages.
            values["rarest"] = values["terms"]
    else:
        plan = None
    if after is not None:
        values["after_at"], values["after_id"] = after.activity, after.conversation_id
    # The shape of the statement: the view, whether a label narrows it (not which).
    view = InboxQuery(
        query.view, label_id="label" if query.label_id is not None else None, split=query.split
    )
    return (view, plan, len(words) > 1, after is not None), values


def inbox_page(
    session: Reads,
    organization_id: str,
    query: InboxQuery,
    *,
    after: InboxPosition | None = None,
    limit: int = 100,
    statistics: SearchStatistics | None = None,
    plan: SearchPlan | None = None,
) -> list[ConversationSummary]:
    """The next ``limit`` conversations after ``after``, newest activity first, in
    one statement whatever the search.

    ``statistics`` (:func:`~snorq_desktop.store.search.read_statistics`) choose the
    search's plan; ``plan`` forces one (every plan finds the same rows).
    """
    shape, values = _page_parts(organization_id, query, after, limit, statistics, plan)
    rows = fetch(session, ("page", *shape), lambda: _page_statement(shape), values)
    return [_summary_of(row) for row in rows]


def explain_inbox_page(
    session: Session,
    organization_id: str,
    query: InboxQuery,
    *,
    limit: int = 100,
    statistics: SearchStatistics | None = None,
    plan: SearchPlan | None = None,
    analyze: bool = False,
) -> dict[str, Any]:
    """PostgreSQL's plan of :func:`inbox_page`'s statement for the first page."""
    shape, values = _page_parts(organization_id, query, None, limit, statistics, plan)
    return explain(session, shape, lambda: _page_statement(shape), values, analyze=analyze)


_PLATFORMS = members(Platform)
_STATUSES = members(ConversationStatus)
_CONNECTION_STATUSES = members(ConnectionStatus)


def _summary_of(row: tuple[Any, ...]) -> ConversationSummary:
    """A summary from a raw row of :func:`_summary_columns` (enums come as text).
    Positional, in the field order of ConversationSummary: keywords cost a
    quarter more, on the 100 rows of every page."""
    return ConversationSummary(
        row[0],  # id
        _PLATFORMS[row[1]],
        row[2] or row[3] or row[4],  # contact_name: the name, else the username, else the id
        row[5],  # contact_avatar_url
        row[6],  # last_message_preview
        row[7],  # last_message_at
        row[8],  # activity
        row[9],  # unread_count
        _STATUSES[row[10]],
        _CONNECTION_STATUSES[row[11]],
        tuple(row[12]) if row[12] else (),  # labels
        row[13],  # last_inbound_at
        row[14],  # assignee_id
        row[15],  # snoozed_until
    )


def summaries(
    session: Reads, organization_id: str, conversation_ids: Iterable[str]
) -> dict[str, ConversationSummary]:
    """The rows scrolled back into view (a block at a time), on the page's own path:
    one compiled statement, its ids one array parameter, tuples into summaries."""
    ids = list(conversation_ids)
    if not ids:
        return {}
    rows = fetch(
        session,
        ("summaries",),
        lambda: _summary_columns().where(
            Conversation.organization_id == bindparam("org"),
            Conversation.id == any_(bindparam("ids", type_=ARRAY(String))),
        ),
        {"org": organization_id, "ids": ids},
    )
    return {row[0]: _summary_of(row) for row in rows}


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
