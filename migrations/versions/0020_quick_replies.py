"""Quick replies (#17.1): the team's saved answers, typed as "/" and a shortcut.

- ``quick_replies``: organisation, shortcut (without its slash, unique in the
  organisation whatever its case), text, who made it, when made and changed.
  Tenant table: RLS ENABLEd and FORCEd; every member of the organisation
  reads, adds, edits and deletes them (they are the team's, and a shop of
  one to four shares its answers), nobody else sees a row; a new one is
  always written as the person adding it.
- Member logins get the table's privileges by extending the member-grant
  function as it stands (0018's add_member_grants), existing logins too.

Revision ID: 0020_quick_replies
Revises: 0019_outgoing_webhooks
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0020_quick_replies"
down_revision: str | None = "0019_outgoing_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
QUICK_REPLY_GRANTS = ["GRANT SELECT, INSERT, UPDATE, DELETE ON quick_replies TO %1$I"]


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"snorq_migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    security, keys = _migration("0013"), _migration("0018")
    op.create_table(
        "quick_replies",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("shortcut", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "shortcut ~ '^[^[:space:]/]{1,30}$'", name="quick_replies_shortcut_word_check"
        ),
        sa.CheckConstraint(
            "btrim(text) <> '' AND length(text) <= 4096", name="quick_replies_text_fits_check"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="quick_replies_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="quick_replies_created_by_fkey", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="quick_replies_pkey"),
    )
    op.create_index(
        "quick_replies_organization_id_shortcut_key",
        "quick_replies",
        ["organization_id", sa.text("lower(shortcut)")],
        unique=True,
    )
    mine, me = security.MINE, security.ME
    op.execute("REVOKE ALL ON quick_replies FROM PUBLIC")
    op.execute("ALTER TABLE quick_replies ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE quick_replies FORCE ROW LEVEL SECURITY")
    for name, command, using, check in (
        ("quick_replies_read", "SELECT", mine, None),
        ("quick_replies_add", "INSERT", None, f"{mine} AND created_by = {me}"),
        ("quick_replies_change", "UPDATE", mine, mine),
        ("quick_replies_remove", "DELETE", mine, None),
    ):
        op.execute(security._policy("quick_replies", name, command, using, check))
    op.execute(
        f"CREATE POLICY owner_all ON quick_replies TO {OWNER} USING (true) WITH CHECK (true)"
    )
    keys.add_member_grants(QUICK_REPLY_GRANTS)
    op.execute(keys._EXISTING_LOGINS)
    # The API's login holds a member's privileges too (0018).
    op.execute("SELECT snorq_grant_member_privileges('snorq_api')")
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    keys = _migration("0018")
    keys.drop_member_grants(QUICK_REPLY_GRANTS)
    op.drop_index("quick_replies_organization_id_shortcut_key", table_name="quick_replies")
    op.drop_table("quick_replies")
    op.execute("RESET ROLE")
