"""Send later (#17.4): a reply stored now and handed to its platform at a time.

Beyond the seed:
- ``messages.send_at``: when a scheduled reply is due (NULL: at once).  The
  outbox sender skips a PENDING reply until then; whichever app of the team
  holds the connection's lease sends it, so it goes even when the app that
  scheduled it is closed, and it survives restarts (it is a row like any).
- ``messages_scheduled_idx``: the replies still waiting for their time, per
  organisation (a handful; the index holds only those).

- policy ``messages_unschedule``: any member takes back a scheduled reply of
  their organisation that no app has begun sending (0013 lets only managers
  delete messages; a reply waiting for its time is the team's to withdraw).

No new table: the column is covered by the table grants of 0013.

Revision ID: 0022_send_later
Revises: 0021_reply_window_clocks
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_send_later"
down_revision: str | None = "0021_reply_window_clocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
# 0013's "a member of the row's organisation", as its policies spell it.
MINE = "organization_id = ANY ((SELECT snorq_organizations_of(current_user))::text[])"
UNSCHEDULE = (
    "CREATE POLICY messages_unschedule ON messages FOR DELETE TO PUBLIC USING "
    f"({MINE} AND send_at IS NOT NULL AND status = 'PENDING' AND send_started_at IS NULL)"
)


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.add_column("messages", sa.Column("send_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "messages_scheduled_idx",
        "messages",
        ["organization_id", "send_at"],
        postgresql_where=sa.text("send_at IS NOT NULL AND status = 'PENDING'"),
    )
    op.execute(UNSCHEDULE)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.execute("DROP POLICY IF EXISTS messages_unschedule ON messages")
    op.drop_index("messages_scheduled_idx", table_name="messages")
    op.drop_column("messages", "send_at")
    op.execute("RESET ROLE")
