"""The sidebar's counts and the unread badge, from the counts the database keeps
as conversations change (inbox_count_changes, migration 0012): a few rows to
read, not the inbox, however many conversations there are."""

from datetime import datetime
from typing import Any

from sqlalchemy import text

from snorq_desktop.domain.enums import ConversationStatus, Platform
from snorq_desktop.domain.inbox import InboxView, ViewCounts
from snorq_desktop.store.compiled_reads import Reads, fetch
from snorq_desktop.store.snooze import snoozed_counts

_COUNTS = """
SELECT platform::text, status::text, sum(conversations)::int, sum(unread_conversations)::int,
       sum(unread_messages)::int, count(*)::int
FROM inbox_count_changes WHERE organization_id = :org GROUP BY platform, status
"""
# Past this many changes, reading the counts first folds them into one row per
# (platform, status), so the read stays a handful of rows however busy the inbox.
# Two apps folding at once fold disjoint rows: each deletes what it re-adds.
FOLD_COUNTS_AFTER = 64
_FOLD_COUNTS = """
WITH folded AS (
    DELETE FROM inbox_count_changes WHERE organization_id = :org
    RETURNING platform, status, conversations, unread_conversations, unread_messages
)
INSERT INTO inbox_count_changes (organization_id, platform, status, conversations,
    unread_conversations, unread_messages)
SELECT :org, platform, status, sum(conversations), sum(unread_conversations),
       sum(unread_messages)
FROM folded GROUP BY platform, status
"""


def _count_rows(session: Reads, organization_id: str) -> list[tuple[Any, ...]]:
    values = {"org": organization_id}
    rows = fetch(session, ("counts",), lambda: text(_COUNTS), values)
    if sum(row[5] for row in rows) > FOLD_COUNTS_AFTER:
        fetch(session, ("fold counts",), lambda: text(_FOLD_COUNTS), values)
    return rows


def view_counts(session: Reads, organization_id: str) -> ViewCounts:
    """Every sidebar count and the unread badge, from the counts the database
    keeps as conversations change (migration 0012): a few rows, not the inbox."""
    counts = dict.fromkeys(
        (InboxView.ALL, InboxView.UNREAD, InboxView.OPEN, InboxView.CLOSED, InboxView.ARCHIVED),
        0,
    )
    counts[InboxView.SNOOZED] = 0
    counts |= dict.fromkeys((InboxView.TIKTOK, InboxView.WHATSAPP, InboxView.FACEBOOK), 0)
    by_platform = {view.platform: view for view in counts if view.platform is not None}
    by_status = {view.status: view for view in counts if view.status is not None}
    unread_messages = 0
    for platform, status, conversations, unread, messages, _ in _count_rows(
        session, organization_id
    ):
        unread_messages += messages  # the badge counts archived unread too
        counts[by_status[ConversationStatus(status)]] += conversations
        if status != ConversationStatus.ARCHIVED:
            counts[InboxView.ALL] += conversations
            counts[InboxView.UNREAD] += unread
            counts[by_platform[Platform(platform)]] += conversations
    next_wake = _without_snoozed(session, organization_id, counts)
    return ViewCounts(counts=counts, unread_messages=unread_messages, next_wake=next_wake)


def _without_snoozed(
    session: Reads, organization_id: str, counts: dict[InboxView, int]
) -> datetime | None:
    """The snoozed move from their views to Snoozed (the few snoozed, read by
    their own index); the earliest snooze's time, due or not."""
    wakes = []
    for platform, status, hidden, unread, wake in snoozed_counts(session, organization_id):
        wakes.append(wake)
        for view in InboxView:
            if view.status is status:
                counts[view] -= hidden
        if status is not ConversationStatus.ARCHIVED:
            counts[InboxView.SNOOZED] += hidden
            counts[InboxView.ALL] -= hidden
            counts[InboxView.UNREAD] -= unread
            for view in InboxView:
                if view.platform is platform:
                    counts[view] -= hidden
    return min(wakes, default=None)


def unread_total(session: Reads, organization_id: str) -> int:
    return sum(row[4] for row in _count_rows(session, organization_id))
