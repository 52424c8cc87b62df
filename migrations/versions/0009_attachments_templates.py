"""Attachments (the bytes of files sent and received) and messages.template.

Beyond the seed: the seed's messages.media_url / media_type say what a file is
and where the platform keeps it; the bytes live here, so whichever app of a
team holds the connection can send a reply's file, and a customer's file stays
viewable after the platform's link expires.  messages.template holds the
WhatsApp template (name, language, values) a reply is sent as, and
platform_connections.business_account_id the WhatsApp Business Account whose
approved templates can be sent.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("mime_type", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="attachments_message_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name="attachments_pkey"),
    )
    op.add_column("messages", sa.Column("template", sa.Text(), nullable=True))
    op.add_column(
        "platform_connections", sa.Column("business_account_id", sa.Text(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("platform_connections", "business_account_id")
    op.drop_column("messages", "template")
    op.drop_table("attachments")
