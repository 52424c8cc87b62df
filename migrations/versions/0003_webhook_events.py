"""webhook_events (the relay's durable queue); status lookups by platform message id.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("webhook_events_pkey")),
        sa.UniqueConstraint("dedupe_key", name=op.f("webhook_events_dedupe_key_key")),
    )
    op.create_index(
        "webhook_events_pending_idx",
        "webhook_events",
        ["received_at"],
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.create_index(
        "messages_outbound_external_id_idx",
        "messages",
        ["external_id"],
        postgresql_where=sa.text("external_id IS NOT NULL AND direction = 'OUTBOUND'"),
    )


def downgrade() -> None:
    op.drop_index("messages_outbound_external_id_idx", table_name="messages")
    op.drop_index("webhook_events_pending_idx", table_name="webhook_events")
    op.drop_table("webhook_events")
