"""Daily analytics (the seed's DailyAnalytics, plus a per-platform breakdown), the
queue of changed messages the rollup works from, and the state of the FREE
plan's history purge.

Revision ID: 0006
Revises: 0005

Building ``messages_history_idx`` reads every message once (about 10 s for
5,000,000); the trigger and the backfill of ``analytics_pending`` make the
first rollup a full one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SAID = "COALESCE(platform_timestamp, created_at)"

# Every message written (by this app, the relay, or any other client of the
# database) leaves a note of its conversation and time span, in the same
# transaction; the rollup recomputes the days those notes touch.  Statement-level
# with transition tables: one small INSERT per statement, not per row.
_MARK_FUNCTION = f"""
CREATE FUNCTION analytics_mark_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO analytics_pending (organization_id, conversation_id, first_at, last_at)
        SELECT organization_id, conversation_id, min({_SAID}), max({_SAID})
        FROM changed_rows GROUP BY organization_id, conversation_id;
    ELSE
        -- Only what the figures depend on: time, direction, sent or failed.
        INSERT INTO analytics_pending (organization_id, conversation_id, first_at, last_at)
        SELECT organization_id, conversation_id, min(said), max(said)
        FROM (
            SELECT n.organization_id, n.conversation_id,
                   COALESCE(n.platform_timestamp, n.created_at) AS said
            FROM changed_rows n JOIN previous_rows o ON o.id = n.id
            WHERE (n.direction, n.platform_timestamp, n.created_at, n.conversation_id,
                   n.status IN ('SENT', 'DELIVERED', 'READ'), n.status = 'FAILED')
                  IS DISTINCT FROM
                  (o.direction, o.platform_timestamp, o.created_at, o.conversation_id,
                   o.status IN ('SENT', 'DELIVERED', 'READ'), o.status = 'FAILED')
            UNION ALL
            SELECT o.organization_id, o.conversation_id,
                   COALESCE(o.platform_timestamp, o.created_at)
            FROM changed_rows n JOIN previous_rows o ON o.id = n.id
            WHERE (n.direction, n.platform_timestamp, n.created_at, n.conversation_id,
                   n.status IN ('SENT', 'DELIVERED', 'READ'), n.status = 'FAILED')
                  IS DISTINCT FROM
                  (o.direction, o.platform_timestamp, o.created_at, o.conversation_id,
                   o.status IN ('SENT', 'DELIVERED', 'READ'), o.status = 'FAILED')
        ) moved
        GROUP BY organization_id, conversation_id;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "daily_analytics",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("messages_received", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("messages_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("conversations_new", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("avg_response_time", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("daily_analytics_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("daily_analytics_pkey")),
        sa.UniqueConstraint(
            "organization_id", "date", name=op.f("daily_analytics_organization_id_date_key")
        ),
    )
    op.create_table(
        "daily_platform_analytics",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column(
            "platform",
            sa.Enum("TIKTOK", "WHATSAPP", "FACEBOOK", name="Platform", create_type=False),
            nullable=False,
        ),
        sa.Column("messages_received", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("messages_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("conversations_new", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("responses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "response_seconds", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("daily_platform_analytics_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("daily_platform_analytics_pkey")),
        sa.UniqueConstraint(
            "organization_id",
            "date",
            "platform",
            name=op.f("daily_platform_analytics_organization_id_date_platform_key"),
        ),
    )
    op.create_table(
        "analytics_pending",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("analytics_pending_pkey")),
    )
    op.create_table(
        "history_retention",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_purge_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_purge_messages", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("history_retention_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("history_retention_pkey")),
        sa.UniqueConstraint("organization_id", name=op.f("history_retention_organization_id_key")),
    )
    op.create_index(
        "messages_history_idx",
        "messages",
        ["organization_id", sa.text(_SAID)],
    )
    op.create_index(
        "webhook_events_received_at_idx",
        "webhook_events",
        ["received_at"],
        postgresql_where=sa.text("processed_at IS NOT NULL"),
    )
    op.execute(_MARK_FUNCTION)
    op.execute(
        "CREATE TRIGGER messages_analytics_inserted AFTER INSERT ON messages "
        "REFERENCING NEW TABLE AS changed_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_changed()"
    )
    op.execute(
        "CREATE TRIGGER messages_analytics_updated AFTER UPDATE ON messages "
        "REFERENCING NEW TABLE AS changed_rows OLD TABLE AS previous_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_changed()"
    )
    # Everything already stored is "changed": the first rollup computes it all.
    op.execute(
        f"INSERT INTO analytics_pending (organization_id, conversation_id, first_at, last_at) "
        f"SELECT organization_id, conversation_id, min({_SAID}), max({_SAID}) "
        f"FROM messages GROUP BY organization_id, conversation_id"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER messages_analytics_updated ON messages")
    op.execute("DROP TRIGGER messages_analytics_inserted ON messages")
    op.execute("DROP FUNCTION analytics_mark_changed()")
    op.drop_index("webhook_events_received_at_idx", table_name="webhook_events")
    op.drop_index("messages_history_idx", table_name="messages")
    op.drop_table("history_retention")
    op.drop_table("analytics_pending")
    op.drop_table("daily_platform_analytics")
    op.drop_table("daily_analytics")
