"""The split of a view (#17.7) as a filter of the inbox statement.

Who spoke last is a column of the conversation (``last_message_direction``,
migration 0028, kept by the statements that set ``last_message_at``), as
text with its own index in the inbox's order: each side is read by keyset
like the inbox, with no lookup of each conversation's newest message.
"""

from sqlalchemy import ColumnElement, true

from snorq_desktop.domain.enums import MessageDirection
from snorq_desktop.domain.view_split import InboxSplit
from snorq_desktop.store.models import Conversation


def split_filter(split: InboxSplit) -> ColumnElement[bool]:
    # A text column: its = is leakproof, so under a member's row-level
    # security PostgreSQL still reads it by its index (store/inbox.py's _is).
    spoke_last = Conversation.last_message_direction
    if split is InboxSplit.UNREAD:
        return Conversation.unread_count > 0
    if split is InboxSplit.WAITING_FOR_US:
        return spoke_last == MessageDirection.INBOUND.value
    if split is InboxSplit.WAITING_FOR_THEM:
        return spoke_last == MessageDirection.OUTBOUND.value
    return true()
