"""messages.send_started_at and messages.failure_reason, for the outbox.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: instant on a table of millions of messages.
    op.add_column("messages", sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("failure_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "failure_reason")
    op.drop_column("messages", "send_started_at")
