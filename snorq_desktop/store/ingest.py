"""Storing what the platforms sent, a batch at a time, in one transaction.

The batch is copied (binary COPY) into a temporary table, then three set-based
statements do the rest: upsert the conversations, insert the messages that are
new (``ON CONFLICT DO NOTHING`` on the platform's message id, never
check-then-insert), and move each touched conversation's preview, last message
time and unread count by what was really inserted.  Running the same batch
again inserts nothing and changes nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import text, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.delivery import STATUS_RANK
from snorq_desktop.domain.enums import MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import Changes, preview_of
from snorq_desktop.domain.platform_events import DeliveryUpdate, PlatformMessage, ReadUpTo
from snorq_desktop.store.models import PlatformConnection

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS ingest_batch (
    message_row_id text, conversation_row_id text, conversation_external_id text,
    contact_id text, contact_name text, contact_username text, contact_avatar_url text,
    external_id text, direction text, content text, content_type text, media_url text,
    media_type text, sent_at timestamptz, preview text, is_new boolean,
    reply_to text, forwarded boolean, sent_elsewhere boolean
) ON COMMIT DROP
"""
_COLUMNS = (
    "message_row_id, conversation_row_id, conversation_external_id, contact_id, contact_name, "
    "contact_username, contact_avatar_url, external_id, direction, content, content_type, "
    "media_url, media_type, sent_at, preview, is_new, reply_to, forwarded, sent_elsewhere"
)
_TYPES = ["text"] * 13 + ["timestamptz", "text", "bool", "text", "bool", "bool"]

# Names some clients and fakes give a person they know nothing about: never
# written over a real one (a conversation shows the username or id instead).
PLACEHOLDER_NAMES = frozenset({"customer", "unknown", "user", "facebook user", "tiktok user"})

# A FREE organisation keeps 30 days (domain/plans.py): a poll that brings back an
# older message does not store again what the history purge removed, and it
# neither opens a conversation nor counts as unread.
_KEPT = """NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = :org AND o.plan = 'FREE'
                       AND {sent_at} < now() - interval '30 days')"""

# What of a batch is stored already: its conversations (with their contact
# fields), then -- only in those -- its messages.  Only the rest is staged, so a
# poll that overlaps the last one (the usual case) costs two reads.  Not
# check-then-insert: the INSERT below still decides, ON CONFLICT, should another
# app store the same meanwhile.
# One unique-index probe per conversation (LIMIT 1 keeps the planner from
# hashing the whole connection's conversations instead: 4-8 ms, not 20-90).
_STORED_CONVERSATIONS = """
SELECT v.external_id, c.id, c.contact_name, c.contact_username, c.contact_avatar_url
FROM unnest(CAST(:conversations AS text[])) AS v(external_id)
CROSS JOIN LATERAL (
    SELECT c.id, c.contact_name, c.contact_username, c.contact_avatar_url FROM conversations c
    WHERE c.platform_connection_id = :connection AND c.external_id = v.external_id
      AND c.organization_id = :org LIMIT 1
) c
"""
_NOT_STORED = """
SELECT v.n
FROM unnest(CAST(:conversations AS text[]), CAST(:messages AS text[]))
     WITH ORDINALITY AS v(conversation, message, n)
WHERE NOT EXISTS (
    SELECT 1 FROM messages m
    WHERE m.organization_id = :org AND m.conversation_id = v.conversation
      AND m.external_id = v.message
)
"""

# A conversation new in this batch is inserted complete (preview, last message,
# unread count: all its messages are new), so the UPDATE below never touches a
# row inserted in this transaction -- which would run its foreign-key checks a
# second time.  RETURNING tells which rows were created (xmax = 0).
_UPSERT_CONVERSATIONS = """
WITH per AS (
    SELECT conversation_external_id,
           count(DISTINCT external_id) FILTER (WHERE direction = 'INBOUND') AS inbound,
           max(sent_at) AS newest,
           max(sent_at) FILTER (WHERE direction = 'INBOUND') AS newest_inbound,
           (array_agg(preview ORDER BY sent_at DESC, message_row_id DESC))[1] AS preview,
           (array_agg(direction ORDER BY sent_at DESC, message_row_id DESC))[1] AS spoke_last
    FROM ingest_batch b WHERE is_new AND {kept} GROUP BY conversation_external_id
)
INSERT INTO conversations AS c (id, organization_id, platform_connection_id, platform,
    external_id, contact_external_id, contact_name, contact_username, contact_avatar_url,
    last_message_preview, last_message_at, unread_count, last_inbound_at,
    last_message_direction)
SELECT DISTINCT ON (b.conversation_external_id)
       b.conversation_row_id, :org, :connection, CAST(:platform AS "Platform"),
       b.conversation_external_id, b.contact_id, b.known_name, b.known_username,
       b.known_avatar_url, per.preview, per.newest, COALESCE(per.inbound, 0),
       per.newest_inbound, per.spoke_last
FROM (
    -- Each contact field from the newest message of the batch that has it: a
    -- message without a name (a system message, a status) does not hide the
    -- name an earlier message of the same batch gave.
    SELECT b.*,
           first_value(b.contact_name) OVER (PARTITION BY b.conversation_external_id
               ORDER BY b.contact_name IS NULL, (b.direction = 'INBOUND') DESC, b.sent_at DESC)
               AS known_name,
           first_value(b.contact_username) OVER (PARTITION BY b.conversation_external_id
               ORDER BY b.contact_username IS NULL, (b.direction = 'INBOUND') DESC,
                        b.sent_at DESC) AS known_username,
           first_value(b.contact_avatar_url) OVER (PARTITION BY b.conversation_external_id
               ORDER BY b.contact_avatar_url IS NULL, (b.direction = 'INBOUND') DESC,
                        b.sent_at DESC) AS known_avatar_url
    FROM ingest_batch b
) b LEFT JOIN per USING (conversation_external_id)
WHERE per.conversation_external_id IS NOT NULL OR NOT b.is_new
ORDER BY b.conversation_external_id, (b.direction = 'INBOUND') DESC, b.sent_at DESC
ON CONFLICT (platform_connection_id, external_id) DO UPDATE SET
    contact_name = COALESCE(EXCLUDED.contact_name, c.contact_name),
    contact_username = COALESCE(EXCLUDED.contact_username, c.contact_username),
    contact_avatar_url = COALESCE(EXCLUDED.contact_avatar_url, c.contact_avatar_url)
WHERE (EXCLUDED.contact_name IS NOT NULL AND EXCLUDED.contact_name IS DISTINCT FROM c.contact_name)
   OR (EXCLUDED.contact_username IS NOT NULL
       AND EXCLUDED.contact_username IS DISTINCT FROM c.contact_username)
   OR (EXCLUDED.contact_avatar_url IS NOT NULL
       AND EXCLUDED.contact_avatar_url IS DISTINCT FROM c.contact_avatar_url)
RETURNING c.id, c.xmax = 0 AS created
""".replace("{kept}", _KEPT.format(sent_at="b.sent_at"))

_INSERT_MESSAGES_AND_MOVE_CONVERSATIONS = """
WITH inserted AS (
    INSERT INTO messages (id, organization_id, conversation_id, external_id, direction,
        content, content_type, media_url, media_type, status, platform_timestamp,
        reply_to_external_id, forwarded, sent_elsewhere)
    SELECT b.message_row_id, :org, c.id, b.external_id, CAST(b.direction AS "MessageDirection"),
           b.content, CAST(b.content_type AS "ContentType"), b.media_url, b.media_type,
           CAST(CASE b.direction WHEN 'INBOUND' THEN 'DELIVERED' ELSE 'SENT' END
                AS "MessageStatus"),
           b.sent_at, b.reply_to, b.forwarded, b.sent_elsewhere
    FROM ingest_batch b
    JOIN conversations c
      ON c.organization_id = :org AND c.platform_connection_id = :connection
     AND c.external_id = b.conversation_external_id
    WHERE b.is_new AND {kept}
    -- In index order: each conversation's rows land together in the indexes.
    ORDER BY c.id, b.sent_at
    ON CONFLICT (conversation_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
    RETURNING id, conversation_id, direction, platform_timestamp
),
per_conversation AS (
    SELECT i.conversation_id,
           count(*) AS total,
           count(*) FILTER (WHERE i.direction = 'INBOUND') AS inbound,
           max(i.platform_timestamp) AS newest,
           max(i.platform_timestamp) FILTER (WHERE i.direction = 'INBOUND') AS newest_inbound,
           (array_agg(b.preview ORDER BY i.platform_timestamp DESC, i.id DESC))[1] AS preview,
           (array_agg(i.direction::text ORDER BY i.platform_timestamp DESC, i.id DESC))[1]
               AS spoke_last
    FROM inserted i JOIN ingest_batch b ON b.message_row_id = i.id
    GROUP BY i.conversation_id
),
moved AS (
    UPDATE conversations c SET
        unread_count = c.unread_count + p.inbound,
        last_message_preview = CASE WHEN c.last_message_at IS NULL OR p.newest >= c.last_message_at
                                    THEN p.preview ELSE c.last_message_preview END,
        last_message_at = GREATEST(c.last_message_at, p.newest),
        -- The reply-window clocks (0021): never moved back by a late older message.
        last_inbound_at = GREATEST(c.last_inbound_at, p.newest_inbound),
        last_message_direction = CASE WHEN c.last_message_at IS NULL
                                           OR p.newest >= c.last_message_at
                                      THEN p.spoke_last ELSE c.last_message_direction END,
        status = CASE WHEN p.inbound > 0 THEN 'OPEN'::"ConversationStatus" ELSE c.status END,
        -- The customer wrote: a snoozed conversation wakes at once (#17.3).
        snoozed_until = CASE WHEN p.inbound > 0 THEN NULL ELSE c.snoozed_until END
    FROM per_conversation p
    WHERE c.organization_id = :org AND c.id = p.conversation_id
      AND c.id <> ALL(CAST(:created AS text[]))
    RETURNING c.id
)
SELECT p.conversation_id, p.total, p.inbound, p.preview FROM per_conversation p
""".replace("{kept}", _KEPT.format(sent_at="b.sent_at"))


@dataclass(frozen=True)
class IngestResult:
    inserted: int
    changes: Changes


def ingest_messages(
    session: Session,
    *,
    organization_id: str,
    connection_id: str,
    platform: Platform,
    messages: Sequence[PlatformMessage],
) -> IngestResult:
    """Store a batch of one connection's messages once each; the caller commits."""
    moved: list[tuple[str, int, int, str]] = []
    messages = same_people(
        session, organization_id, connection_id, [_without_placeholder_name(m) for m in messages]
    )
    fresh, context = _what_is_new(session, organization_id, connection_id, messages)
    if fresh or context:
        _stage(session, fresh, context)
        created = [
            row[0]
            for row in session.execute(
                text(_UPSERT_CONVERSATIONS),
                {"org": organization_id, "connection": connection_id, "platform": platform.value},
            )
            if row[1]
        ]
        moved = [
            (row[0], row[1], row[2], row[3])
            for row in session.execute(
                text(_INSERT_MESSAGES_AND_MOVE_CONVERSATIONS),
                {"org": organization_id, "connection": connection_id, "created": created},
            )
        ]
    session.execute(
        update(PlatformConnection)
        .where(
            PlatformConnection.id == connection_id,
            PlatformConnection.organization_id == organization_id,
        )
        .values(last_sync_at=text("now()"))
    )
    ids = frozenset(row[0] for row in moved)
    arrivals = tuple((row[0], row[3]) for row in moved if row[2])
    return IngestResult(
        inserted=sum(row[1] for row in moved),
        changes=Changes(conversations=ids, messages=ids, arrivals=arrivals),
    )


def _without_placeholder_name(message: PlatformMessage) -> PlatformMessage:
    name, username = message.contact_name, message.contact_username
    if name is not None and (not name.strip() or name.strip().casefold() in PLACEHOLDER_NAMES):
        message = replace(message, contact_name=None)
    if username is not None and not username.strip():
        message = replace(message, contact_username=None)
    return message


_KNOWN_AS = """
SELECT external_id, contact_username FROM conversations
WHERE platform_connection_id = :connection AND organization_id = :org
  AND (external_id = ANY(CAST(:ids AS text[])) OR contact_username = ANY(CAST(:ids AS text[])))
"""


def same_people(
    session: Session, organization_id: str, connection_id: str, messages: Sequence[PlatformMessage]
) -> list[PlatformMessage]:
    """One person, one conversation: a message keyed on an id the person is not
    stored under (a WhatsApp business-scoped id for someone first seen by phone
    number, or the other way) joins the conversation already there."""
    named = [m for m in messages if m.contact_aliases or m.platform is Platform.WHATSAPP]
    if not named:
        return list(messages)
    ids = sorted({i for m in named for i in (m.conversation_id, *m.contact_aliases)})
    stored: dict[str, str] = {}
    for external_id, username in session.execute(
        text(_KNOWN_AS), {"org": organization_id, "connection": connection_id, "ids": ids}
    ):
        stored[external_id] = external_id
        if username:
            stored.setdefault(username, external_id)
    # Not stored yet: within the batch, a message keyed on a phone number joins the
    # one keyed on the business-scoped id that names that number.
    in_batch: dict[str, str] = {}
    for message in named:
        for alias in message.contact_aliases:
            if alias not in stored and message.conversation_id not in stored:
                in_batch.setdefault(alias, message.conversation_id)
    moved = []
    for message in messages:
        if message.conversation_id not in stored and message.conversation_id in in_batch:
            key = in_batch[message.conversation_id]
            message = replace(message, conversation_id=key, contact_id=key)
        elif message.conversation_id not in stored:
            for alias in message.contact_aliases:
                if alias in stored:
                    message = replace(
                        message,
                        conversation_id=stored[alias],
                        contact_id=stored[alias],
                    )
                    break
        elif stored[message.conversation_id] != message.conversation_id:
            target = stored[message.conversation_id]
            message = replace(message, conversation_id=target, contact_id=target)
        moved.append(message)
    return moved


def _contact_key(message: PlatformMessage) -> tuple[bool, float]:
    # The row a conversation's contact fields come from: the customer's newest
    # message (the upsert's DISTINCT ON picks the same).
    return (message.direction is MessageDirection.INBOUND, message.sent_at.timestamp())


def _what_is_new(
    session: Session, organization_id: str, connection_id: str, messages: Sequence[PlatformMessage]
) -> tuple[list[PlatformMessage], list[PlatformMessage]]:
    """(messages not stored yet, one message per other conversation whose contact
    fields must still be written)."""
    if not messages:
        return [], []
    best: dict[str, PlatformMessage] = {}
    for message in messages:
        known = best.get(message.conversation_id)
        if known is None or _contact_key(message) > _contact_key(known):
            best[message.conversation_id] = message
    row_ids: dict[str, str] = {}
    contacts: dict[str, tuple[str | None, str | None, str | None]] = {}
    for row in session.execute(
        text(_STORED_CONVERSATIONS),
        {"org": organization_id, "connection": connection_id, "conversations": list(best)},
    ):
        row_ids[row[0]] = row[1]
        contacts[row[0]] = (row[2], row[3], row[4])
    fresh = [m for m in messages if m.conversation_id not in row_ids]
    maybe_stored = [m for m in messages if m.conversation_id in row_ids]
    if maybe_stored:  # a batch of new conversations skips this read
        new_ones = session.execute(
            text(_NOT_STORED),
            {
                "org": organization_id,
                "conversations": [row_ids[m.conversation_id] for m in maybe_stored],
                "messages": [m.message_id for m in maybe_stored],
            },
        ).scalars()
        fresh += [maybe_stored[n - 1] for n in new_ones]
    staged = {id(m) for m in fresh}
    with_fresh = {m.conversation_id for m in fresh}
    context = []
    for conversation, message in best.items():
        if id(message) in staged:
            continue
        offered = (message.contact_name, message.contact_username, message.contact_avatar_url)
        current = contacts.get(conversation)
        changes_contact = current is None or any(
            new is not None and new != old for new, old in zip(offered, current, strict=True)
        )
        if conversation in with_fresh or changes_contact:
            context.append(message)
    return fresh, context


def _stage(
    session: Session,
    messages: Sequence[PlatformMessage],
    context: Sequence[PlatformMessage] = (),
) -> None:
    session.execute(text(_STAGING))
    # Several batches may share one transaction (one per connection of a webhook pass).
    session.execute(text("TRUNCATE ingest_batch"))
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY ingest_batch ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(_TYPES)
        # One candidate id per conversation of the batch (used only if it is new).
        conversation_ids = {m.conversation_id: "" for m in [*messages, *context]}
        for key in conversation_ids:
            conversation_ids[key] = new_id()
        # New messages, then rows that only carry a conversation's contact fields.
        rows = [(m, True) for m in messages] + [(m, False) for m in context]
        for message, is_new in rows:
            copy.write_row(
                (
                    new_id(),
                    conversation_ids[message.conversation_id],
                    message.conversation_id,
                    message.contact_id,
                    message.contact_name,
                    message.contact_username,
                    message.contact_avatar_url,
                    message.message_id,
                    message.direction.value,
                    message.content,
                    message.content_type.value,
                    message.media_id,
                    message.media_type,
                    message.sent_at,
                    preview_of(message.content_type, message.content),
                    is_new,
                    message.reply_to,
                    message.forwarded,
                    message.sent_elsewhere,
                )
            )


NO_REASON_GIVEN = "The platform did not deliver it and gave no reason."

_RANK_SQL = (
    "CASE {column} "
    + " ".join(f"WHEN '{status.value}' THEN {rank}" for status, rank in STATUS_RANK.items())
    + " END"
)

# Built from our own constant table (STATUS_RANK), never from input.
_FORWARD = (
    "m.status <> 'FAILED' AND "
    + _RANK_SQL.format(column="{new}")
    + " > "
    + _RANK_SQL.format(column="m.status::text")
)

_APPLY_STATUSES = f"""
UPDATE messages m SET status = CAST(v.status AS "MessageStatus"),
    failure_reason = CASE WHEN v.status = 'FAILED'
                          THEN COALESCE(v.reason, m.failure_reason, :no_reason)
                          ELSE m.failure_reason END
FROM unnest(CAST(:ids AS text[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]))
         AS v(external_id, status, reason),
     conversations c
WHERE m.organization_id = :org AND m.external_id = v.external_id AND m.direction = 'OUTBOUND'
  AND c.organization_id = :org AND c.id = m.conversation_id
  AND c.platform_connection_id = :connection
  AND {_FORWARD.format(new="v.status")}
RETURNING m.conversation_id
"""  # noqa: S608

_APPLY_WATERMARK = f"""
UPDATE messages m SET status = CAST(:status AS "MessageStatus")
FROM conversations c
WHERE c.organization_id = :org AND c.platform_connection_id = :connection
  AND c.external_id = :conversation
  AND m.organization_id = :org AND m.conversation_id = c.id AND m.direction = 'OUTBOUND'
  AND COALESCE(m.platform_timestamp, m.created_at) <= :up_to
  AND {_FORWARD.format(new=":status")}
RETURNING m.conversation_id
"""  # noqa: S608


def apply_delivery_updates(
    session: Session,
    *,
    organization_id: str,
    connection_id: str,
    updates: Sequence[DeliveryUpdate],
) -> Changes:
    """Move our messages' statuses forward only; duplicates and late arrivals of an
    older status change nothing.  For one message, the furthest status wins."""
    best: dict[str, MessageStatus] = {}
    reasons: dict[str, str | None] = {}
    for event in updates:
        known = best.get(event.message_id)
        if known is None or STATUS_RANK[event.status] > STATUS_RANK[known]:
            best[event.message_id] = event.status
            reasons[event.message_id] = event.error  # a failure says why on its bubble
    if not best:
        return Changes()
    rows = session.execute(
        text(_APPLY_STATUSES),
        {
            "org": organization_id,
            "connection": connection_id,
            "ids": list(best),
            "statuses": [status.value for status in best.values()],
            "reasons": [reasons[message] for message in best],
            "no_reason": NO_REASON_GIVEN,
        },
    ).all()
    return Changes(messages=frozenset(row[0] for row in rows))


def apply_watermarks(
    session: Session,
    *,
    organization_id: str,
    connection_id: str,
    watermarks: Sequence[ReadUpTo],
) -> Changes:
    """Messenger's "everything up to here was delivered / read"."""
    touched: set[str] = set()
    for mark in watermarks:
        rows = session.execute(
            text(_APPLY_WATERMARK),
            {
                "org": organization_id,
                "connection": connection_id,
                "conversation": mark.contact_id,
                "up_to": mark.at,
                "status": mark.status.value,
            },
        ).all()
        touched.update(row[0] for row in rows)
    return Changes(messages=frozenset(touched))
