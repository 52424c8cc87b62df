"""Business hours, away and greeting messages (#17.6).

- ``business_hours``: one row per organisation: its IANA time zone, its week
  (JSON, Monday first: ``["09:00", "18:00"]`` or null for a closed day), the
  away message and the greeting, each with its on/off, who changed them last.
  A setting like the organisation's own: every member reads it, only an OWNER
  or ADMIN adds, changes or removes it (the policies, as 0013 does for
  organisations and platform apps).
- ``automatic_replies``: each automatic answer queued, keyed by (organisation,
  conversation, kind, period): the away message's period is the closed
  stretch it answers, the greeting's a fixed date (once per conversation).
  Whichever app queues it inserts the key and the message in one transaction
  with ON CONFLICT DO NOTHING, so two apps, or a crash and a rerun, never
  queue it twice.  Every member's app may queue one (any member's app may
  hold a connection's lease); nobody changes or removes a key (it goes with
  its conversation).
- Member logins get the tables' privileges by extending the member-grant
  function as it stands (0018's add_member_grants), existing logins and the
  API's too.

Revision ID: 0027_business_hours
Revises: 0026_member_search_statistics
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027_business_hours"
down_revision: str | None = "0026_member_search_statistics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
BUSINESS_HOURS_GRANTS = [
    "GRANT SELECT, INSERT, UPDATE, DELETE ON business_hours TO %1$I",
    "GRANT SELECT, INSERT ON automatic_replies TO %1$I",
]


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"snorq_migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _created_at() -> sa.Column[sa.DateTime]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    security, keys = _migration("0013"), _migration("0018")
    op.create_table(
        "business_hours",
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("week", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("away_on", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("away_text", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("greeting_on", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("greeting_text", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "jsonb_typeof(week) = 'array' AND jsonb_array_length(week) = 7",
            name="business_hours_seven_days_check",
        ),
        sa.CheckConstraint(
            "length(away_text) <= 1000 AND length(greeting_text) <= 1000",
            name="business_hours_texts_fit_check",
        ),
        sa.CheckConstraint(
            "(NOT away_on OR btrim(away_text) <> '') AND (NOT greeting_on OR btrim(greeting_text) <> '')",
            name="business_hours_on_with_words_check",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="business_hours_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name="business_hours_updated_by_fkey", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("organization_id", name="business_hours_pkey"),
    )
    op.create_table(
        "automatic_replies",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        _created_at(),
        sa.CheckConstraint("kind IN ('AWAY', 'GREETING')", name="automatic_replies_kind_check"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="automatic_replies_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="automatic_replies_conversation_id_fkey",
            ondelete="CASCADE",
        ),
        # The key outlives a purged message: its period is still answered.
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="automatic_replies_message_id_fkey",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="automatic_replies_pkey"),
    )
    op.create_index(
        "automatic_replies_once_key",
        "automatic_replies",
        ["organization_id", "conversation_id", "kind", "period_start"],
        unique=True,
    )
    op.create_index(
        "automatic_replies_message_id_idx",
        "automatic_replies",
        ["message_id"],
        postgresql_where=sa.text("message_id IS NOT NULL"),
    )
    mine, managed = security.MINE, security.MANAGED
    for table, policies in (
        (
            "business_hours",
            (
                ("business_hours_read", "SELECT", mine, None),
                ("business_hours_add", "INSERT", None, managed),
                ("business_hours_change", "UPDATE", managed, managed),
                ("business_hours_remove", "DELETE", managed, None),
            ),
        ),
        (
            "automatic_replies",
            (
                ("automatic_replies_read", "SELECT", mine, None),
                ("automatic_replies_add", "INSERT", None, f"{mine} AND {security.MY_CONVERSATION}"),
            ),
        ),
    ):
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for name, command, using, check in policies:
            op.execute(security._policy(table, name, command, using, check))
        op.execute(f"CREATE POLICY owner_all ON {table} TO {OWNER} USING (true) WITH CHECK (true)")
    keys.add_member_grants(BUSINESS_HOURS_GRANTS)
    op.execute(keys._EXISTING_LOGINS)
    # The API's login holds a member's privileges too (0018).
    op.execute("SELECT snorq_grant_member_privileges('snorq_api')")
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    keys = _migration("0018")
    keys.drop_member_grants(BUSINESS_HOURS_GRANTS)
    op.drop_index("automatic_replies_message_id_idx", table_name="automatic_replies")
    op.drop_index("automatic_replies_once_key", table_name="automatic_replies")
    op.drop_table("automatic_replies")
    op.drop_table("business_hours")
    op.execute("RESET ROLE")
