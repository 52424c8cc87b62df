"""The sidebar's counts kept as conversations change (inbox_count_changes and
its triggers), so reading them costs the same at 1,000 or 1,000,000
conversations.

Revision ID: 0012
Revises: 0011

Filling it reads every conversation once (about 0.1 s for 100,000).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIGURES = (
    "count(*) * {sign}, count(*) FILTER (WHERE {t}.unread_count > 0) * {sign}, "
    "COALESCE(sum({t}.unread_count) FILTER (WHERE {t}.unread_count > 0), 0) * {sign}"
)
_COLUMNS = (
    "organization_id, platform, status, conversations, unread_conversations, unread_messages"
)


def _change(rows: str, sign: int, where: str = "") -> str:
    # Only organisations that still exist: deleting one deletes its conversations
    # (and its counts) by cascade, and must not write counts for it again.
    return (
        f"SELECT {rows}.organization_id, {rows}.platform, {rows}.status, "
        f"{_FIGURES.format(sign=sign, t=rows)} FROM {rows} "
        f"JOIN organizations o ON o.id = {rows}.organization_id {where} "
        f"GROUP BY {rows}.organization_id, {rows}.platform, {rows}.status"
    )


# What the counts depend on: organisation, platform, status and unread_count.
_MOVED = (
    "JOIN previous_rows p ON p.id = {t}.id WHERE "
    "(n.organization_id, n.platform, n.status, n.unread_count) IS DISTINCT FROM "
    "(p.organization_id, p.platform, p.status, p.unread_count)"
)

_COUNT_FUNCTION = f"""
CREATE FUNCTION inbox_count_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO inbox_count_changes ({_COLUMNS}) {_change("changed_rows", 1)};
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO inbox_count_changes ({_COLUMNS}) {_change("previous_rows", -1)};
    ELSE
        INSERT INTO inbox_count_changes ({_COLUMNS})
        SELECT organization_id, platform, status, sum(c), sum(u), sum(m) FROM (
            SELECT n.organization_id, n.platform, n.status, 1 AS c,
                   (n.unread_count > 0)::int AS u, GREATEST(n.unread_count, 0) AS m
            FROM changed_rows n {_MOVED.format(t="n")}
            UNION ALL
            SELECT p.organization_id, p.platform, p.status, -1,
                   -(p.unread_count > 0)::int, -GREATEST(p.unread_count, 0)
            FROM changed_rows n {_MOVED.format(t="n")}
        ) moved
        WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = moved.organization_id)
        GROUP BY organization_id, platform, status;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "inbox_count_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column(
            "platform",
            sa.Enum("TIKTOK", "WHATSAPP", "FACEBOOK", name="Platform", create_type=False),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("OPEN", "CLOSED", "ARCHIVED", name="ConversationStatus", create_type=False),
            nullable=False,
        ),
        sa.Column("conversations", sa.BigInteger(), nullable=False),
        sa.Column("unread_conversations", sa.BigInteger(), nullable=False),
        sa.Column("unread_messages", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("inbox_count_changes_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("inbox_count_changes_pkey")),
    )
    op.create_index(
        "inbox_count_changes_organization_id_idx", "inbox_count_changes", ["organization_id"]
    )
    op.execute(_COUNT_FUNCTION)
    for event, tables in (
        ("INSERT", "NEW TABLE AS changed_rows"),
        ("UPDATE", "NEW TABLE AS changed_rows OLD TABLE AS previous_rows"),
        ("DELETE", "OLD TABLE AS previous_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER conversations_counted_{event.lower()} AFTER {event} ON conversations "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION inbox_count_changed()"
        )
    op.execute(f"INSERT INTO inbox_count_changes ({_COLUMNS}) {_change('conversations', 1)}")


def downgrade() -> None:
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER conversations_counted_{event} ON conversations")
    op.execute("DROP FUNCTION inbox_count_changed()")
    op.drop_index("inbox_count_changes_organization_id_idx", table_name="inbox_count_changes")
    op.drop_table("inbox_count_changes")
