"""The seed's Phase 2: labels, conversation_labels and notes; conversations.labels
kept equal to the label tables by triggers; existing array values moved in.

Revision ID: 0005
Revises: 0004

Why triggers: the tables are the source and the seed's ``conversations.labels``
array is a copy other clients read.  Keeping the copy in the database means
every writer (this app, psql, a Prisma client) keeps it in step, in the
writer's own transaction, and nobody can write the copy by itself.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from snorq_desktop.domain.ids import new_id

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_COLOUR = "#6366f1"

# Recomputes the array of these conversations from the tables.  The rows are
# locked first (NO KEY UPDATE: it does not wait for the key-share locks foreign
# keys take), and the UPDATE runs as a new statement, so under READ COMMITTED it
# sees links a concurrent writer committed while we waited: two apps labelling
# one conversation at once both end up in its array.
# updated_at is left alone: a label is the team's note on a conversation, not
# activity in it, and an update touching no indexed column can stay on its
# page (HOT), which keeps labelling thousands of conversations cheap.
SYNC_FUNCTION = """
CREATE FUNCTION snorq_sync_conversation_labels(conversation_ids text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM conversations WHERE id = ANY (conversation_ids)
        ORDER BY id FOR NO KEY UPDATE;
    WITH fresh AS MATERIALIZED (  -- each array computed once, in one grouped pass
        SELECT x.id,
               COALESCE(array_agg(l.name ORDER BY lower(l.name), l.name)
                            FILTER (WHERE l.id IS NOT NULL), '{}'::text[]) AS names
          FROM (SELECT DISTINCT unnest(conversation_ids) AS id) x
          LEFT JOIN conversation_labels cl ON cl.conversation_id = x.id
          LEFT JOIN labels l ON l.id = cl.label_id
         GROUP BY x.id)
    UPDATE conversations c
       SET labels = fresh.names
      FROM fresh
     WHERE c.id = fresh.id AND c.labels IS DISTINCT FROM fresh.names;
END $$
"""

LINKS_CHANGED = """
CREATE FUNCTION snorq_conversation_labels_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched text[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF EXISTS (SELECT 1 FROM added a
                     JOIN conversations c ON c.id = a.conversation_id
                     JOIN labels l ON l.id = a.label_id
                    WHERE c.organization_id <> l.organization_id) THEN
            RAISE EXCEPTION 'a label can only be put on a conversation of its own organisation'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT conversation_id FROM added);
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT conversation_id FROM removed);
    ELSE
        touched := ARRAY(SELECT conversation_id FROM added
                         UNION SELECT conversation_id FROM removed);
    END IF;
    PERFORM snorq_sync_conversation_labels(touched);
    RETURN NULL;
END $$
"""

LABEL_RENAMED = """
CREATE FUNCTION snorq_label_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM snorq_sync_conversation_labels(ARRAY(
        SELECT cl.conversation_id
          FROM renamed_new n JOIN renamed_old o ON o.id = n.id
          JOIN conversation_labels cl ON cl.label_id = n.id
         WHERE n.name IS DISTINCT FROM o.name));
    RETURN NULL;
END $$
"""

# Our own sync runs nested in a trigger (depth > 1); a statement writing the
# copy directly is refused with a sentence that says where labels live.
ARRAY_GUARD = """
CREATE FUNCTION snorq_conversation_labels_array_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'conversations.labels is kept from the labels and conversation_labels '
                    'tables: add or remove rows of conversation_labels instead'
        USING ERRCODE = 'check_violation';
END $$
"""

TRIGGERS = [
    """CREATE TRIGGER conversation_labels_added AFTER INSERT ON conversation_labels
       REFERENCING NEW TABLE AS added
       FOR EACH STATEMENT EXECUTE FUNCTION snorq_conversation_labels_changed()""",
    """CREATE TRIGGER conversation_labels_removed AFTER DELETE ON conversation_labels
       REFERENCING OLD TABLE AS removed
       FOR EACH STATEMENT EXECUTE FUNCTION snorq_conversation_labels_changed()""",
    """CREATE TRIGGER conversation_labels_moved AFTER UPDATE ON conversation_labels
       REFERENCING OLD TABLE AS removed NEW TABLE AS added
       FOR EACH STATEMENT EXECUTE FUNCTION snorq_conversation_labels_changed()""",
    """CREATE TRIGGER labels_renamed AFTER UPDATE ON labels
       REFERENCING OLD TABLE AS renamed_old NEW TABLE AS renamed_new
       FOR EACH STATEMENT EXECUTE FUNCTION snorq_label_renamed()""",
    # WHEN is tested without calling a function: ingest's inserts pay nothing.
    """CREATE TRIGGER conversations_labels_array_insert BEFORE INSERT ON conversations
       FOR EACH ROW WHEN (cardinality(NEW.labels) > 0)
       EXECUTE FUNCTION snorq_conversation_labels_array_guard()""",
    """CREATE TRIGGER conversations_labels_array_update BEFORE UPDATE OF labels ON conversations
       FOR EACH ROW WHEN (NEW.labels IS DISTINCT FROM OLD.labels)
       EXECUTE FUNCTION snorq_conversation_labels_array_guard()""",
]


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("color", sa.Text(), server_default=DEFAULT_COLOUR, nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.CheckConstraint("btrim(name) <> ''", name="labels_name_not_blank_check"),
        sa.CheckConstraint("color ~ '^#[0-9a-fA-F]{6}$'", name="labels_color_hex_check"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="labels_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="labels_pkey"),
        sa.UniqueConstraint("organization_id", "name", name="labels_organization_id_name_key"),
    )
    op.execute(
        "CREATE UNIQUE INDEX labels_organization_id_name_ci_key ON labels "
        "(organization_id, lower(name))"
    )
    op.create_table(
        "conversation_labels",
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("label_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="conversation_labels_conversation_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name="conversation_labels_label_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "label_id", name="conversation_labels_pkey"),
    )
    op.create_index("conversation_labels_label_id_idx", "conversation_labels", ["label_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("btrim(content) <> ''", name="notes_content_not_blank_check"),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name="notes_author_id_fkey", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name="notes_conversation_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="notes_pkey"),
    )
    op.create_index(
        "notes_conversation_id_created_at_idx", "notes", ["conversation_id", "created_at"]
    )
    for function in (SYNC_FUNCTION, LINKS_CHANGED, LABEL_RENAMED, ARRAY_GUARD):
        op.execute(function)
    _move_array_values_into_the_tables()
    for trigger in TRIGGERS:
        op.execute(trigger)


def _move_array_values_into_the_tables() -> None:
    """One label per name per organisation (names compared trimmed and without
    case; the spelling used most wins, a default colour), a link for each
    conversation that had it, then every such array rewritten from the tables."""
    bind = op.get_bind()
    names = bind.execute(
        sa.text("""
            WITH used AS (
                SELECT c.organization_id, btrim(regexp_replace(n, '\\s+', ' ', 'g')) AS name,
                       count(*) AS uses
                  FROM conversations c, unnest(c.labels) AS n
                 WHERE n IS NOT NULL AND btrim(n) <> ''
                 GROUP BY 1, 2)
            SELECT DISTINCT ON (organization_id, lower(name)) organization_id, name
              FROM used ORDER BY organization_id, lower(name), uses DESC, name
        """)
    ).all()
    if names:
        bind.execute(
            sa.text(
                "INSERT INTO labels (id, name, color, organization_id) "
                "VALUES (:id, :name, :color, :organization_id)"
            ),
            [
                {"id": new_id(), "name": name, "color": DEFAULT_COLOUR, "organization_id": org}
                for org, name in names
            ],
        )
        bind.execute(
            sa.text("""
                INSERT INTO conversation_labels (conversation_id, label_id)
                SELECT DISTINCT c.id, l.id
                  FROM conversations c
                 CROSS JOIN LATERAL unnest(c.labels) AS n
                  JOIN labels l ON l.organization_id = c.organization_id
                   AND lower(l.name) = lower(btrim(regexp_replace(n, '\\s+', ' ', 'g')))
                 WHERE n IS NOT NULL AND btrim(n) <> ''
            """)
        )
    bind.execute(
        sa.text(
            "SELECT snorq_sync_conversation_labels(ARRAY("
            "SELECT id FROM conversations WHERE cardinality(labels) > 0))"
        )
    )
    # The seed's column allows NULL; "no labels" is spelled one way from now on.
    bind.execute(sa.text("UPDATE conversations SET labels = '{}' WHERE labels IS NULL"))


def downgrade() -> None:
    # The arrays already hold every label name: dropping the tables loses colours only.
    for trigger, table in (
        ("conversations_labels_array_update", "conversations"),
        ("conversations_labels_array_insert", "conversations"),
        ("labels_renamed", "labels"),
        ("conversation_labels_moved", "conversation_labels"),
        ("conversation_labels_removed", "conversation_labels"),
        ("conversation_labels_added", "conversation_labels"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    op.drop_index("notes_conversation_id_created_at_idx", table_name="notes")
    op.drop_table("notes")
    op.drop_index("conversation_labels_label_id_idx", table_name="conversation_labels")
    op.drop_table("conversation_labels")
    op.execute("DROP INDEX IF EXISTS labels_organization_id_name_ci_key")
    op.drop_table("labels")
    for function in (
        "snorq_conversation_labels_array_guard()",
        "snorq_label_renamed()",
        "snorq_conversation_labels_changed()",
        "snorq_sync_conversation_labels(text[])",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
