"""The split of a view (#17.7) as a filter of the inbox statement.

Who spoke last is a column of the conversation (``last_message_direction``,
migration 0021, kept by the statements that set ``last_message_at``): the
inbox walks its index in order and tests the row it reads anyway, with no
lookup of each conversation's newest message.
"""

from sqlalchemy import ColumnElement, Text, cast, true

from snorq_desktop.domain.enums import MessageDirection
from snorq_desktop.domain.view_split import InboxSplit
from snorq_desktop.store.models import Conversation


def split_filter(split: InboxSplit) -> ColumnElement[bool]:
    # Compared as text, like the inbox's other enums (leakproof under a
    # member's row-level security: see store/inbox.py's _is).
    spoke_last = cast(Conversation.last_message_direction, Text)
    if split is InboxSplit.UNREAD:
        return Conversation.unread_count > 0
    if split is InboxSplit.WAITING_FOR_US:
        return spoke_last == MessageDirection.INBOUND.value
    if split is InboxSplit.WAITING_FOR_THEM:
        return spoke_last == MessageDirection.OUTBOUND.value
    return true()
