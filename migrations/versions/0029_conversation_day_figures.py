"""Stored per-(conversation, day) figures for the analytics rollup (#15.3).

- ``conversation_day_analytics``: one conversation's figures for one UTC day
  (received, sent, started, first replies and their waits), kept by the
  rollup.  A change re-reads only the (conversation, day) pairs it touched,
  from the thread index, and its days are re-summed from these rows: a day of
  some 24,000 messages is a few hundred rows here, so a rollup costs what
  changed, not every message of every day it touched.
- The rows are derived, so none is written here: every conversation is noted
  changed instead (one ``analytics_pending`` note each, as the trigger writes
  them), and the next rollup -- a full one -- fills the table from the
  messages before it re-sums any day.  The dashboard reads its old figures
  until then.
- A tenant table like the other analytics: members' apps run the rollup, so
  they read and write their own organisations' rows (the policies 0013 gives
  ``daily_platform_analytics``); ``protect_tenant_table`` below is the one
  place that says how a tenant table is locked down, for this and later
  revisions (load it as they load 0013 and 0018).

Revision ID: 0029_conversation_day_figures
Revises: 0028_snooze
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0029_conversation_day_figures"
down_revision: str | None = "0028_snooze"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
GRANTS = ["GRANT SELECT, INSERT, UPDATE, DELETE ON conversation_day_analytics TO %1$I"]

_NOTE_EVERY_CONVERSATION = """
INSERT INTO analytics_pending (organization_id, conversation_id, first_at, last_at)
SELECT organization_id, conversation_id,
       min(COALESCE(platform_timestamp, created_at)), max(COALESCE(platform_timestamp, created_at))
FROM messages GROUP BY organization_id, conversation_id
"""


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"snorq_migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def protect_tenant_table(
    table: str,
    policies: Sequence[tuple[str, str, str | None, str | None]],
    grants: list[str],
) -> None:
    """Lock a new tenant table down as every other one is: nobody but its owner
    by default, row-level security forced (the owner role included, which the
    definer functions run as, so ``owner_all`` lets it see every row), the
    members' ``policies`` (name, command, USING, WITH CHECK), and ``grants``
    added to the member-grant function as it stands and given to every member
    login that exists, the API's too.  Run as the owner role."""
    security = _migration("0013")
    op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for name, command, using, check in policies:
        op.execute(security._policy(table, name, command, using, check))
    op.execute(f"CREATE POLICY owner_all ON {table} TO {OWNER} USING (true) WITH CHECK (true)")
    grant_to_members(grants)


def grant_to_members(grants: list[str]) -> None:
    """``grants`` for every member login: added to the member-grant function as
    it stands (0018's add_member_grants), and given now to every member login
    that exists and to the API's.  Run as the owner role."""
    keys = _migration("0018")
    keys.add_member_grants(grants)
    op.execute(keys._EXISTING_LOGINS)
    op.execute("SELECT snorq_grant_member_privileges('snorq_api')")


def mine_to_read_and_write(table: str) -> list[tuple[str, str, str | None, str | None]]:
    """A member reads, adds, changes and removes the rows of their own
    organisations (the analytics' and the counts' policies in 0013)."""
    mine = _migration("0013").MINE
    return [
        (f"{table}_read", "SELECT", mine, None),
        (f"{table}_add", "INSERT", None, mine),
        (f"{table}_change", "UPDATE", mine, mine),
        (f"{table}_remove", "DELETE", mine, None),
    ]


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.create_table(
        "conversation_day_analytics",
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column(
            "platform",
            sa.Enum("TIKTOK", "WHATSAPP", "FACEBOOK", name="Platform", create_type=False),
            nullable=False,
        ),
        sa.Column("messages_received", sa.Integer(), nullable=False),
        sa.Column("messages_sent", sa.Integer(), nullable=False),
        sa.Column("conversations_new", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("response_seconds", sa.BigInteger(), nullable=False),
        # With its organisation, as one key (as notes, 0024; a Citus shard's own).
        sa.ForeignKeyConstraint(
            ["organization_id", "conversation_id"],
            ["conversations.organization_id", "conversations.id"],
            name="conversation_day_analytics_conversation_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "date", "conversation_id", name="conversation_day_analytics_pkey"
        ),
    )
    op.create_index(
        "conversation_day_analytics_conversation_id_idx",
        "conversation_day_analytics",
        ["organization_id", "conversation_id"],
    )
    table = "conversation_day_analytics"
    protect_tenant_table(table, mine_to_read_and_write(table), GRANTS)
    op.execute(_NOTE_EVERY_CONVERSATION)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    _migration("0018").drop_member_grants(GRANTS)
    op.drop_index(
        "conversation_day_analytics_conversation_id_idx", table_name="conversation_day_analytics"
    )
    op.drop_table("conversation_day_analytics")
    op.execute("RESET ROLE")
