"""The conversations' indexes of migration 0028 (snooze, the split of the views),
kept beside the table's others by ``*conversation_indexes_0028()`` in its
``__table_args__``."""

from sqlalchemy import Index, text


def conversation_indexes_0028() -> tuple[Index, ...]:
    return (
        # The split by who spoke last, in the inbox's order within each side
        # (text: its = is leakproof, so a member's row-level security keeps it).
        Index(
            "conversations_spoke_last_idx",
            "organization_id",
            "last_message_direction",
            text("COALESCE(last_message_at, created_at) DESC"),
            text("id DESC"),
        ),
        # The few snoozed: the Snoozed view, its count, the wake.
        Index(
            "conversations_snoozed_idx",
            "organization_id",
            "snoozed_until",
            postgresql_where=text("snoozed_until IS NOT NULL"),
        ),
    )
