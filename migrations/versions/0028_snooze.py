"""Snooze and the waiting-for split (#17.3, #17.7).

- ``conversations.snoozed_until``: hidden from the inbox's views until then
  (the views compare it with now(), so a due conversation shows in every app
  of the team at once, whichever apps run); woken -- made unread, the time
  cleared -- by the first app that sees it due, or at once by the customer's
  next message (the ingest's own UPDATE clears it).  A partial index holds the
  few snoozed rows: the Snoozed view, its count and the wake read only them.
- ``conversations.last_message_direction``: who spoke last (INBOUND: the
  customer, waiting for us; OUTBOUND: we did, waiting for them), kept by the
  same statements that set last_message_at, so the split filters a column of
  the row the inbox index walk already reads instead of looking up each
  conversation's newest message.  Filled here from each conversation's
  newest message.  Text ('INBOUND' / 'OUTBOUND', checked), not the enum: its
  = is leakproof, so under a member's row-level security PostgreSQL still
  uses its statistics and its index (the enum's is not, and a cast of an
  enum cannot be indexed).  The split walks that index, (organisation, who
  spoke last, activity, id): the inbox's order within each side, by keyset.
- No new table and no new privilege: members update conversations already
  (0013's grants are table-wide), and the row policies cover the new columns.

Revision ID: 0028_snooze
Revises: 0027_business_hours
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_snooze"
down_revision: str | None = "0027_business_hours"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
_FILL_DIRECTIONS = """
UPDATE conversations c SET last_message_direction = (
    SELECT m.direction::text FROM messages m
    WHERE m.conversation_id = c.id AND m.organization_id = c.organization_id
    ORDER BY COALESCE(m.platform_timestamp, m.created_at) DESC, m.id DESC LIMIT 1
)
WHERE c.last_message_at IS NOT NULL
"""


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.add_column(
        "conversations", sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "conversations",
        sa.Column(
            "last_message_direction",
            sa.Text(),
            sa.CheckConstraint(
                "last_message_direction IN ('INBOUND', 'OUTBOUND')",
                name="conversations_spoke_check",
            ),
            nullable=True,
        ),
    )
    op.create_index(
        "conversations_snoozed_idx",
        "conversations",
        ["organization_id", "snoozed_until"],
        postgresql_where=sa.text("snoozed_until IS NOT NULL"),
    )
    op.create_index(
        "conversations_spoke_last_idx",
        "conversations",
        [
            "organization_id",
            "last_message_direction",
            sa.text("COALESCE(last_message_at, created_at) DESC"),
            sa.text("id DESC"),
        ],
    )
    op.execute(_FILL_DIRECTIONS)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.drop_index("conversations_spoke_last_idx", table_name="conversations")
    op.drop_index("conversations_snoozed_idx", table_name="conversations")
    op.drop_column("conversations", "last_message_direction")
    op.drop_column("conversations", "snoozed_until")
    op.execute("RESET ROLE")
