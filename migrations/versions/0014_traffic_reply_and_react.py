"""Replying to a message and reacting from the window.

Beyond the seed:
- ``messages.reaction_unsent``: our reaction to this (customer's) message that
  the outbox has yet to hand to the platform; ``''`` takes ours off.  Shown on
  the bubble at once; cleared once the platform has it (``reactions`` then
  holds it under ``business``).  A partial index lets the outbox find the few
  waiting without scanning a connection's messages.
- ``reply_drafts.reply_to_message_id``: the message a draft reply answers (our
  id, always of the draft's own conversation), so "Replying to …" survives
  switching conversations and restarting like the text does.

No new table: both columns are covered by the table grants of 0013.

Revision ID: 0014_traffic_reply_and_react
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_traffic_reply_and_react"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("reaction_unsent", sa.Text(), nullable=True))
    op.create_index(
        "messages_reaction_unsent_idx",
        "messages",
        ["conversation_id"],
        postgresql_where=sa.text("reaction_unsent IS NOT NULL"),
    )
    op.add_column("reply_drafts", sa.Column("reply_to_message_id", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("reply_drafts", "reply_to_message_id")
    op.drop_index("messages_reaction_unsent_idx", table_name="messages")
    op.drop_column("messages", "reaction_unsent")
