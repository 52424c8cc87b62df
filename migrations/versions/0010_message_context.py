"""What a message is in its conversation: the message it answers, forwarded,
sent from elsewhere, edited, deleted, and the reactions on it.

Beyond the seed, all on ``messages`` (the seed's names are kept):
- ``reply_to_external_id``: the platform id of the message it answers (WhatsApp
  ``context.id``, Messenger ``reply_to.mid``, TikTok ``referenced_message_info``),
  kept even when that message is not stored;
- ``forwarded``; ``sent_elsewhere``: an echo of a message the business sent from
  its phone, Meta Business Suite or the TikTok app, not through SNORQ;
- ``edited_at`` / ``deleted_at``: an edit replaced ``content``; a delete cleared it;
- ``reactions``: who put which emoji on it (``{"customer": "😮"}``), never a row of
  its own, so a reaction neither reorders the inbox nor counts as unread;
and an index to find a conversation by its contact's username (phone number).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("reply_to_external_id", sa.Text(), nullable=True))
    op.add_column(
        "messages",
        sa.Column("forwarded", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "messages",
        sa.Column("sent_elsewhere", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("messages", sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "messages",
        sa.Column("reactions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    # One person, one conversation: a WhatsApp contact first stored by business-scoped
    # id is found again by phone number (kept as the username).
    op.create_index(
        "conversations_platform_connection_id_contact_username_idx",
        "conversations",
        ["platform_connection_id", "contact_username"],
    )


def downgrade() -> None:
    op.drop_index("conversations_platform_connection_id_contact_username_idx", "conversations")
    for column in (
        "reactions",
        "deleted_at",
        "edited_at",
        "sent_elsewhere",
        "forwarded",
        "reply_to_external_id",
    ):
        op.drop_column("messages", column)
