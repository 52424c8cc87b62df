"""Indexes for the window: inbox order, unread badge, thread order and search.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX conversations_inbox_idx ON conversations "
        "(organization_id, (COALESCE(last_message_at, created_at)) DESC, id DESC)"
    )
    op.execute(
        "CREATE INDEX conversations_unread_idx ON conversations (organization_id, platform) "
        "INCLUDE (unread_count) WHERE unread_count > 0"
    )
    op.execute(
        "CREATE INDEX conversations_contact_search_idx ON conversations USING gin "
        "(to_tsvector('simple'::regconfig, COALESCE(contact_name, '')))"
    )
    op.execute(
        "CREATE INDEX messages_thread_idx ON messages "
        "(conversation_id, (COALESCE(platform_timestamp, created_at)) DESC, id DESC)"
    )
    op.execute(
        "CREATE INDEX messages_content_search_idx ON messages USING gin "
        "(to_tsvector('simple'::regconfig, COALESCE(content, '')))"
    )


def downgrade() -> None:
    for name in (
        "messages_content_search_idx",
        "messages_thread_idx",
        "conversations_contact_search_idx",
        "conversations_unread_idx",
        "conversations_inbox_idx",
    ):
        op.execute(f"DROP INDEX IF EXISTS {name}")
