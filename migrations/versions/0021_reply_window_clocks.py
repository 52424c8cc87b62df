"""Reply-window clocks (#17.5): when the customer last wrote, kept on the conversation.

Beyond the seed:
- ``conversations.last_inbound_at``: the platform time of the customer's newest
  message, moved by the same ingest statements that store messages (never
  backwards).  The row's warning and the "Closing soon" view read it instead
  of the messages.
- ``conversations_last_inbound_idx`` on ``(organization_id, last_inbound_at)``:
  "Closing soon" is one short range of it per platform, whatever the size of
  the inbox.

No new table: the column is covered by the table grants of 0013.  Existing
conversations are filled from their stored messages.

Revision ID: 0021_reply_window_clocks
Revises: 0020_quick_replies
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_reply_window_clocks"
down_revision: str | None = "0020_quick_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.add_column(
        "conversations",
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute("""
        UPDATE conversations c SET last_inbound_at = m.newest
        FROM (SELECT conversation_id, max(COALESCE(platform_timestamp, created_at)) AS newest
              FROM messages WHERE direction = 'INBOUND' GROUP BY conversation_id) m
        WHERE m.conversation_id = c.id
    """)
    op.create_index(
        "conversations_last_inbound_idx", "conversations", ["organization_id", "last_inbound_at"]
    )
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.drop_index("conversations_last_inbound_idx", table_name="conversations")
    op.drop_column("conversations", "last_inbound_at")
    op.execute("RESET ROLE")
