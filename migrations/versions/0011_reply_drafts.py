"""reply_drafts: a member's unsent reply (or note) per conversation.

Beyond the seed: the window keeps what was typed in a conversation's reply box
with that conversation (never carried to the next customer), across restarts,
like WhatsApp Business and Front.  One row per conversation and member, scoped
to the organisation like every tenant table; deleting the conversation, the
member or the organisation deletes it.

Numbered 0011: 0010 is taken by the real-payloads work on another branch.  This
tree has no 0010, so it follows the current head, 0009; when 0010 lands first,
its down_revision is re-chained to 0010.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_drafts",
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("as_note", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="reply_drafts_conversation_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="reply_drafts_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="reply_drafts_user_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name="reply_drafts_pkey"),
    )
    op.create_index(
        "reply_drafts_organization_id_user_id_idx",
        "reply_drafts",
        ["organization_id", "user_id"],
    )


def downgrade() -> None:
    op.drop_index("reply_drafts_organization_id_user_id_idx", table_name="reply_drafts")
    op.drop_table("reply_drafts")
