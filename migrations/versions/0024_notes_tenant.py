"""Notes name their organisation (#14.3): ``notes.organization_id``.

A note used to reach its organisation only through its conversation, so
writing one was the one statement of the app that could not name the shop
(tests/db/test_tenant_scope.py), and a Citus distribution by
``organization_id`` could not place it.

- ``notes.organization_id``: added, filled from each note's conversation,
  then NOT NULL.
- The note's conversation is referenced by ``(organization_id,
  conversation_id)`` against a new unique key ``conversations
  (organization_id, id)``, so the database itself refuses a note whose
  organisation is not its conversation's (the seed's reference to the
  conversation is that same key, still CASCADE).
- The thread's index is led by the organisation: ``(organization_id,
  conversation_id, created_at)`` replaces ``(conversation_id, created_at)``.
- Row-level security reads the column directly (no sub-select of
  conversations per row); who may do what is unchanged.  The table's grants
  are table-wide, so member logins need nothing new.

Revision ID: 0024_notes_tenant
Revises: 0023_assignments
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0024_notes_tenant"
down_revision: str | None = "0023_assignments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
POLICIES = ("notes_read", "notes_add", "notes_change", "notes_remove")


def _security() -> ModuleType:
    path = next(Path(__file__).parent.glob("0013_*.py"))
    spec = importlib.util.spec_from_file_location("snorq_migration_0013", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace_policies(rows: list[tuple[str, str, str | None, str | None]]) -> None:
    security = _security()
    for name in POLICIES:
        op.execute(f"DROP POLICY {name} ON notes")
    for name, command, using, check in rows:
        op.execute(security._policy("notes", name, command, using, check))


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    security = _security()
    mine, managed, me = security.MINE, security.MANAGED, security.ME
    op.add_column("notes", sa.Column("organization_id", sa.Text(), nullable=True))
    op.execute(
        "UPDATE notes n SET organization_id = c.organization_id "
        "FROM conversations c WHERE c.id = n.conversation_id"
    )
    op.alter_column("notes", "organization_id", nullable=False)
    op.create_unique_constraint(
        "conversations_organization_id_id_key", "conversations", ["organization_id", "id"]
    )
    op.drop_constraint("notes_conversation_id_fkey", "notes", type_="foreignkey")
    op.create_foreign_key(
        "notes_conversation_id_fkey",
        "notes",
        "conversations",
        ["organization_id", "conversation_id"],
        ["organization_id", "id"],
        ondelete="CASCADE",
    )
    op.drop_index("notes_conversation_id_created_at_idx", table_name="notes")
    op.create_index(
        "notes_organization_id_conversation_id_created_at_idx",
        "notes",
        ["organization_id", "conversation_id", "created_at"],
    )
    _replace_policies(
        [
            ("notes_read", "SELECT", mine, None),
            ("notes_add", "INSERT", None, f"{mine} AND author_id = {me}"),
            ("notes_change", "UPDATE", f"author_id = {me}", f"{mine} AND author_id = {me}"),
            ("notes_remove", "DELETE", f"author_id = {me} OR {managed}", None),
        ]
    )
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    security = _security()
    mine_conversation, me = security.MY_CONVERSATION, security.ME
    managed = security.MANAGED
    _replace_policies(
        [
            ("notes_read", "SELECT", mine_conversation, None),
            ("notes_add", "INSERT", None, f"{mine_conversation} AND author_id = {me}"),
            (
                "notes_change",
                "UPDATE",
                f"author_id = {me}",
                f"{mine_conversation} AND author_id = {me}",
            ),
            (
                "notes_remove",
                "DELETE",
                f"author_id = {me} OR conversation_id IN (SELECT id "
                f"FROM conversations WHERE {managed})",
                None,
            ),
        ]
    )
    op.drop_index("notes_organization_id_conversation_id_created_at_idx", table_name="notes")
    op.create_index(
        "notes_conversation_id_created_at_idx", "notes", ["conversation_id", "created_at"]
    )
    op.drop_constraint("notes_conversation_id_fkey", "notes", type_="foreignkey")
    op.create_foreign_key(
        "notes_conversation_id_fkey",
        "notes",
        "conversations",
        ["conversation_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_constraint("conversations_organization_id_id_key", "conversations", type_="unique")
    op.drop_column("notes", "organization_id")
    op.execute("RESET ROLE")
