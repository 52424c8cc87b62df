"""Reactions, edits and deletes: changes to a stored message, never new rows.

A reaction is kept on the message it reacts to (``messages.reactions``) and
moves neither the inbox order nor the unread count.  An edit replaces the
text and stamps ``edited_at``; a delete clears the text and the file and
stamps ``deleted_at`` (the thread shows "This message was deleted").  A change
naming a message that is not stored is logged and dropped: there is nothing to
show it on.
"""

import logging
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ContentType
from snorq_desktop.domain.inbox import DELETED_TEXT, Changes, preview_of
from snorq_desktop.domain.platform_events import MessageDeletion, MessageEdit, Reaction

log = logging.getLogger(__name__)

# The message named by its platform id in the person's conversation (under any
# of the ids the person is known by): one probe of the unique index each.
_TARGET = """
FROM conversations c
WHERE c.organization_id = :org AND c.platform_connection_id = :connection
  AND c.external_id = ANY(CAST(:people AS text[]))
  AND m.organization_id = :org AND m.conversation_id = c.id AND m.external_id = :message
"""

_REACT = f"""
UPDATE messages m SET updated_at = now(), reactions = CASE
    WHEN CAST(:emoji AS text) IS NULL
        THEN NULLIF(COALESCE(m.reactions, '{{}}'::jsonb) - CAST(:who AS text), '{{}}'::jsonb)
    ELSE COALESCE(m.reactions, '{{}}'::jsonb) || jsonb_build_object(CAST(:who AS text), :emoji)
    END
{_TARGET}
RETURNING m.conversation_id, NULL, NULL, NULL
"""  # noqa: S608

_EDIT = f"""
UPDATE messages m SET content = COALESCE(CAST(:content AS text), m.content), edited_at = :at,
    updated_at = now()
{_TARGET} AND m.deleted_at IS NULL
RETURNING m.conversation_id, m.id, m.content_type::text, m.content
"""  # noqa: S608

_DELETE = f"""
UPDATE messages m SET content = NULL, media_url = NULL, media_thumbnail = NULL,
    reactions = NULL, deleted_at = :at, updated_at = now()
{_TARGET} AND m.deleted_at IS NULL
RETURNING m.conversation_id, m.id, NULL, NULL
"""  # noqa: S608

# The inbox preview follows an edit or delete of the conversation's newest message.
_PREVIEW = """
UPDATE conversations c SET last_message_preview = :preview
FROM messages m
WHERE m.organization_id = :org AND m.id = :message
  AND c.organization_id = :org AND c.id = m.conversation_id
  AND c.last_message_at = COALESCE(m.platform_timestamp, m.created_at)
RETURNING c.id
"""

# attachments has no organization_id of its own (docs/scale-out.md): its
# message's names the shop.
_FORGET_FILE = """
DELETE FROM attachments a USING messages m
WHERE a.message_id = :message AND m.id = a.message_id AND m.organization_id = :org
"""


def apply_message_changes(
    session: Session,
    *,
    organization_id: str,
    connection_id: str,
    changes: Sequence[Reaction | MessageEdit | MessageDeletion],
) -> Changes:
    threads: set[str] = set()
    rows: set[str] = set()
    for change in changes:
        where = {
            "org": organization_id,
            "connection": connection_id,
            "people": [change.conversation_id, *change.contact_aliases],
            "message": change.message_id,
        }
        if isinstance(change, Reaction):
            who = "business" if change.by_business else "customer"
            found = session.execute(text(_REACT), {**where, "who": who, "emoji": change.emoji})
        elif isinstance(change, MessageEdit):
            found = session.execute(
                text(_EDIT), {**where, "content": change.content, "at": change.at}
            )
        else:
            found = session.execute(text(_DELETE), {**where, "at": change.at})
        hit = found.first()
        if hit is None:
            log.info(
                "a %s for message %s, which is not stored: nothing to show it on",
                type(change).__name__,
                change.message_id,
            )
            continue
        threads.add(hit[0])
        if isinstance(change, Reaction):
            continue
        preview = (
            DELETED_TEXT
            if isinstance(change, MessageDeletion)
            else preview_of(ContentType(hit[2]), hit[3])
        )
        if isinstance(change, MessageDeletion):
            session.execute(text(_FORGET_FILE), {"org": organization_id, "message": hit[1]})
        moved = session.execute(
            text(_PREVIEW), {"org": organization_id, "message": hit[1], "preview": preview}
        ).first()
        if moved is not None:
            rows.add(moved[0])
    return Changes(conversations=frozenset(rows), messages=frozenset(threads))
