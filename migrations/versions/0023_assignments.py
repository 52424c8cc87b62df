"""Who's on it (#17.2): a conversation's assignee, and the "Mine"/"Unassigned" counts.

- ``conversations.assignee_user_id``: the teammate on it, or NULL (Unassigned).
  Held by the database: a composite foreign key to ``organization_members``
  (organisation, user), so the assignee is always a member of the
  conversation's own organisation whoever writes it (the app, psql, the API);
  foreign keys are checked past row-level security, so a member cannot learn
  of another shop's people this way either.  Who may assign is the
  conversations' own policy: any member of the organisation (a MEMBER too).
- A member who leaves or is removed: a trigger on ``organization_members``
  first puts their conversations back to Unassigned (PostgreSQL 13 has no
  ``ON DELETE SET NULL (column)``, and a plain SET NULL would null the
  organisation too).
- ``assignment_count_changes``: the open conversations per (organisation,
  assignee), appended by a statement trigger on ``conversations`` like 0012's
  inbox_count_changes and folded when read (store/assignments.py), so the
  sidebar's "Mine" and "Unassigned" cost a few rows at any size.  Tenant
  table: RLS ENABLEd and FORCEd, the members' policies and ``owner_all`` like
  inbox_count_changes; its writes come from the trigger as whoever changed
  the conversations.
- ``conversations_assignee_inbox_idx`` (organisation, assignee, activity, id):
  a "Mine" page reads its rows from it; ``conversations_unassigned_inbox_idx``
  (organisation, activity, id, only the unassigned) an "Unassigned" page its
  100 in order.
- Member logins get the new table through the member-grant function
  (0018's add_member_grants), existing logins too.

Revision ID: 0023_assignments
Revises: 0022_send_later
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0023_assignments"
down_revision: str | None = "0022_send_later"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
TABLE = "assignment_count_changes"
ASSIGNMENT_GRANTS = [
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO %1$I",
    f"GRANT USAGE ON SEQUENCE {TABLE}_id_seq TO %1$I",
]


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"snorq_migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Only open conversations count, and only for organisations that still exist
# (deleting one deletes its conversations by cascade: no counts for it again).
_MOVED = (
    "(n.organization_id, n.assignee_user_id, n.status) IS DISTINCT FROM "
    "(p.organization_id, p.assignee_user_id, p.status)"
)
_COUNT_FUNCTION = f"""
CREATE FUNCTION assignment_count_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {TABLE} (organization_id, assignee_user_id, conversations)
        SELECT n.organization_id, n.assignee_user_id, count(*) FROM changed_rows n
         WHERE n.status = 'OPEN'
           AND EXISTS (SELECT 1 FROM organizations o WHERE o.id = n.organization_id)
         GROUP BY 1, 2;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {TABLE} (organization_id, assignee_user_id, conversations)
        SELECT p.organization_id, p.assignee_user_id, -count(*) FROM previous_rows p
         WHERE p.status = 'OPEN'
           AND EXISTS (SELECT 1 FROM organizations o WHERE o.id = p.organization_id)
         GROUP BY 1, 2;
    ELSE
        INSERT INTO {TABLE} (organization_id, assignee_user_id, conversations)
        SELECT organization_id, assignee_user_id, sum(c) FROM (
            SELECT n.organization_id, n.assignee_user_id, 1 AS c
              FROM changed_rows n JOIN previous_rows p ON p.id = n.id
             WHERE n.status = 'OPEN' AND {_MOVED}
            UNION ALL
            SELECT p.organization_id, p.assignee_user_id, -1
              FROM changed_rows n JOIN previous_rows p ON p.id = n.id
             WHERE p.status = 'OPEN' AND {_MOVED}
        ) moved
        WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = moved.organization_id)
        GROUP BY 1, 2 HAVING sum(c) <> 0;
    END IF;
    RETURN NULL;
END
$$
"""

# Runs as the owner role (it sees every conversation of the organisation,
# whoever removes the member: an admin, or the member leaving).  Only when
# the organisation stays: deleting it deletes its members and conversations by
# cascade, and an update of those would fail their key to the organisation.
_UNASSIGN_FUNCTION = """
CREATE FUNCTION snorq_unassign_leaving_member() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    -- The whole organisation going (a cascade): its conversations go with it.
    IF EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id) THEN
        UPDATE conversations SET assignee_user_id = NULL
         WHERE organization_id = OLD.organization_id AND assignee_user_id = OLD.user_id;
    END IF;
    RETURN OLD;
END
$$
"""


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    security, keys = _migration("0013"), _migration("0018")
    op.add_column("conversations", sa.Column("assignee_user_id", sa.Text(), nullable=True))
    op.create_foreign_key(
        "conversations_assignee_user_id_fkey",
        "conversations",
        "users",
        ["assignee_user_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        "conversations_assignee_member_fkey",
        "conversations",
        "organization_members",
        ["organization_id", "assignee_user_id"],
        ["organization_id", "user_id"],
    )
    op.create_index(
        "conversations_assignee_inbox_idx",
        "conversations",
        [
            "organization_id",
            "assignee_user_id",
            sa.text("COALESCE(last_message_at, created_at) DESC"),
            sa.text("id DESC"),
        ],
    )
    # Unassigned's own: PostgreSQL does not read the index above in order for
    # "assignee IS NULL" (only for "= a person"), and would sort the whole view.
    op.create_index(
        "conversations_unassigned_inbox_idx",
        "conversations",
        [
            "organization_id",
            sa.text("COALESCE(last_message_at, created_at) DESC"),
            sa.text("id DESC"),
        ],
        postgresql_where=sa.text("assignee_user_id IS NULL"),
    )
    op.create_table(
        TABLE,
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("assignee_user_id", sa.Text(), nullable=True),
        sa.Column("conversations", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=f"{TABLE}_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=f"{TABLE}_pkey"),
    )
    op.create_index(f"{TABLE}_organization_id_idx", TABLE, ["organization_id"])
    op.execute(_COUNT_FUNCTION)
    for event, tables in (
        ("INSERT", "NEW TABLE AS changed_rows"),
        ("UPDATE", "NEW TABLE AS changed_rows OLD TABLE AS previous_rows"),
        ("DELETE", "OLD TABLE AS previous_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER conversations_assignments_{event.lower()} AFTER {event} "
            f"ON conversations REFERENCING {tables} FOR EACH STATEMENT "
            "EXECUTE FUNCTION assignment_count_changed()"
        )
    op.execute(_UNASSIGN_FUNCTION)
    op.execute(
        "CREATE TRIGGER organization_members_unassign BEFORE DELETE ON organization_members "
        "FOR EACH ROW EXECUTE FUNCTION snorq_unassign_leaving_member()"
    )
    # Every open conversation starts Unassigned.
    op.execute(
        f"INSERT INTO {TABLE} (organization_id, assignee_user_id, conversations) "
        "SELECT organization_id, NULL, count(*) FROM conversations WHERE status = 'OPEN' "
        "GROUP BY organization_id"
    )
    mine = security.MINE
    op.execute(f"REVOKE ALL ON {TABLE} FROM PUBLIC")
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    for name, command, using, check in (
        (f"{TABLE}_read", "SELECT", mine, None),
        (f"{TABLE}_add", "INSERT", None, mine),
        (f"{TABLE}_change", "UPDATE", mine, mine),
        (f"{TABLE}_remove", "DELETE", mine, None),
    ):
        op.execute(security._policy(TABLE, name, command, using, check))
    op.execute(f"CREATE POLICY owner_all ON {TABLE} TO {OWNER} USING (true) WITH CHECK (true)")
    keys.add_member_grants(ASSIGNMENT_GRANTS)
    op.execute(keys._EXISTING_LOGINS)
    # The API's login holds a member's privileges too (0018).
    op.execute("SELECT snorq_grant_member_privileges('snorq_api')")
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    keys = _migration("0018")
    keys.drop_member_grants(ASSIGNMENT_GRANTS)
    op.execute("DROP TRIGGER organization_members_unassign ON organization_members")
    op.execute("DROP FUNCTION snorq_unassign_leaving_member()")
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER conversations_assignments_{event} ON conversations")
    op.execute("DROP FUNCTION assignment_count_changed()")
    op.drop_index(f"{TABLE}_organization_id_idx", table_name=TABLE)
    op.drop_table(TABLE)
    op.drop_index("conversations_unassigned_inbox_idx", table_name="conversations")
    op.drop_index("conversations_assignee_inbox_idx", table_name="conversations")
    op.drop_constraint("conversations_assignee_member_fkey", "conversations", type_="foreignkey")
    op.drop_constraint("conversations_assignee_user_id_fkey", "conversations", type_="foreignkey")
    op.drop_column("conversations", "assignee_user_id")
    op.execute("RESET ROLE")
