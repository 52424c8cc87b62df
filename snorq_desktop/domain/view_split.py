"""The split of every view (#17.7): all of it, its unread, or whose turn it is."""

from enum import StrEnum


class InboxSplit(StrEnum):
    ALL = "all"
    UNREAD = "unread"
    WAITING_FOR_US = "waiting_for_us"  # the customer spoke last
    WAITING_FOR_THEM = "waiting_for_them"  # we spoke last


SPLIT_TITLES = {
    InboxSplit.ALL: "All",
    InboxSplit.UNREAD: "Unread",
    InboxSplit.WAITING_FOR_US: "Waiting for us",
    InboxSplit.WAITING_FOR_THEM: "Waiting for them",
}

SPLIT_TIPS = {
    InboxSplit.ALL: "Every conversation of this view",
    InboxSplit.UNREAD: "Only the conversations with unread messages",
    InboxSplit.WAITING_FOR_US: "The customer wrote last: they wait for an answer",
    InboxSplit.WAITING_FOR_THEM: "We wrote last: the customer has not answered yet",
}
