"""A search result's row shows the words that matched: the newest message of the
conversation that matches the search, not the conversation's latest message."""

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from snorq_desktop.store.inbox import SENT_AT
from snorq_desktop.store.models import Message
from snorq_desktop.store.search import search_terms

# Spelled as in store/inbox.py, so PostgreSQL uses the same GIN index.
_CONTENT_MATCHES = (
    "to_tsvector('simple'::regconfig, COALESCE(messages.content, ''))"
    " @@ to_tsquery('simple'::regconfig, :terms)"
)


def matching_previews(
    session: Session, organization_id: str, conversation_ids: list[str], search: str
) -> dict[str, str]:
    """Per conversation (of a page of results), its newest matching message's text;
    a conversation found by its contact's name alone is left out."""
    terms = search_terms(search)
    if terms is None or not conversation_ids:
        return {}
    newest_first = (
        func.row_number()
        .over(partition_by=Message.conversation_id, order_by=(SENT_AT.desc(), Message.id.desc()))
        .label("rank")
    )
    matches = (
        select(Message.conversation_id, Message.content, newest_first)
        .where(
            Message.organization_id == organization_id,
            Message.conversation_id.in_(conversation_ids),
            text(_CONTENT_MATCHES).bindparams(terms=terms),
        )
        .subquery()
    )
    rows = session.execute(
        select(matches.c.conversation_id, matches.c.content).where(matches.c.rank == 1)
    )
    return {row.conversation_id: row.content for row in rows if row.content}
