"""`db upgrade` on an empty database yields the seed's schema, checked from the
catalog against expectations written from the seed document (not from our
models), and plain SQL inserts get the seed's defaults."""

import psycopg
import pytest
from sqlalchemy.engine import URL

from snorq_desktop.boot.cli import main

SEED_ENUMS = {
    "Platform": ["TIKTOK", "WHATSAPP", "FACEBOOK"],
    "PlanType": ["FREE", "PRO", "BUSINESS"],
    "MemberRole": ["OWNER", "ADMIN", "MEMBER"],
    "ConnectionStatus": ["ACTIVE", "EXPIRED", "ERROR", "DISCONNECTED"],
    "ConversationStatus": ["OPEN", "CLOSED", "ARCHIVED"],
    "MessageDirection": ["INBOUND", "OUTBOUND"],
    "ContentType": ["TEXT", "IMAGE", "VIDEO", "AUDIO", "FILE", "STICKER", "LOCATION"],
    "MessageStatus": ["PENDING", "SENT", "DELIVERED", "READ", "FAILED"],
}

TS = "timestamp with time zone"
# table -> column -> (type, nullable, default or None)
SEED_COLUMNS: dict[str, dict[str, tuple[str, bool, str | None]]] = {
    "users": {
        "id": ("text", False, None),
        "email": ("text", False, None),
        "name": ("text", True, None),
        "avatar_url": ("text", True, None),
        "google_id": ("text", True, None),
        "created_at": (TS, False, "now()"),
        "updated_at": (TS, False, "now()"),
    },
    "organizations": {
        "id": ("text", False, None),
        "name": ("text", False, None),
        "slug": ("text", False, None),
        "plan": ('"PlanType"', False, "'FREE'::\"PlanType\""),
        "owner_id": ("text", False, None),
        "created_at": (TS, False, "now()"),
        "updated_at": (TS, False, "now()"),
    },
    "organization_members": {
        "id": ("text", False, None),
        "organization_id": ("text", False, None),
        "user_id": ("text", False, None),
        "role": ('"MemberRole"', False, "'MEMBER'::\"MemberRole\""),
        "joined_at": (TS, False, "now()"),
    },
    "platform_connections": {
        "id": ("text", False, None),
        "organization_id": ("text", False, None),
        "platform": ('"Platform"', False, None),
        "platform_user_id": ("text", False, None),
        "platform_username": ("text", True, None),
        "platform_display_name": ("text", True, None),
        "access_token": ("text", False, None),
        "refresh_token": ("text", True, None),
        "token_expires_at": (TS, True, None),
        "status": ('"ConnectionStatus"', False, "'ACTIVE'::\"ConnectionStatus\""),
        "last_sync_at": (TS, True, None),
        "error_message": ("text", True, None),
        # ours: WhatsApp's business account, for templates
        "business_account_id": ("text", True, None),
        "created_at": (TS, False, "now()"),
        "updated_at": (TS, False, "now()"),
    },
    "conversations": {
        "id": ("text", False, None),
        "organization_id": ("text", False, None),
        "platform_connection_id": ("text", False, None),
        "platform": ('"Platform"', False, None),
        "external_id": ("text", False, None),
        "external_thread_id": ("text", True, None),
        "contact_external_id": ("text", False, None),
        "contact_name": ("text", True, None),
        "contact_username": ("text", True, None),
        "contact_avatar_url": ("text", True, None),
        "last_message_preview": ("text", True, None),
        "last_message_at": (TS, True, None),
        "unread_count": ("integer", False, "0"),
        "status": ('"ConversationStatus"', False, "'OPEN'::\"ConversationStatus\""),
        "labels": ("text[]", True, "'{}'::text[]"),
        "created_at": (TS, False, "now()"),
        "updated_at": (TS, False, "now()"),
        # the customer's last message, for the reply-window clocks (migration 0021)
        "last_inbound_at": (TS, True, None),
        "assignee_user_id": ("text", True, None),  # ours: who's on it (0023)
        # ours: snooze and who spoke last (migration 0028)
        "snoozed_until": (TS, True, None),
        "last_message_direction": ("text", True, None),  # INBOUND / OUTBOUND
    },
    "messages": {
        "id": ("text", False, None),
        "conversation_id": ("text", False, None),
        "organization_id": ("text", False, None),  # our addition
        "external_id": ("text", True, None),
        "direction": ('"MessageDirection"', False, None),
        "content": ("text", True, None),
        "content_type": ('"ContentType"', False, "'TEXT'::\"ContentType\""),
        "media_url": ("text", True, None),
        "media_type": ("text", True, None),
        "media_thumbnail": ("text", True, None),
        "status": ('"MessageStatus"', False, "'SENT'::\"MessageStatus\""),
        "sent_by_user_id": ("text", True, None),
        "platform_timestamp": (TS, True, None),
        "created_at": (TS, False, "now()"),
        "updated_at": (TS, False, "now()"),
        # our additions for the outbox
        "send_started_at": (TS, True, None),
        "failure_reason": ("text", True, None),
        "template": ("text", True, None),
        # our additions for a conversation as people see it (migration 0010)
        "reply_to_external_id": ("text", True, None),
        "forwarded": ("boolean", False, "false"),
        "sent_elsewhere": ("boolean", False, "false"),
        "edited_at": (TS, True, None),
        "deleted_at": (TS, True, None),
        "reactions": ("jsonb", True, None),
        # our reaction waiting in the outbox (migration 0014)
        "reaction_unsent": ("text", True, None),
        # a reply posted through the REST API: its Idempotency-Key (migration 0018)
        "idempotency_key": ("text", True, None),
        # a reply scheduled for a time (migration 0022)
        "send_at": (TS, True, None),
    },
    # The seed's Phase 2 (migration 0005)
    "labels": {
        "id": ("text", False, None),
        "name": ("text", False, None),
        "color": ("text", False, "'#6366f1'::text"),
        "organization_id": ("text", False, None),
    },
    "conversation_labels": {
        "conversation_id": ("text", False, None),
        "label_id": ("text", False, None),
    },
    "notes": {
        "id": ("text", False, None),
        "content": ("text", False, None),
        # beyond the seed (0024): every statement on notes names the shop
        "organization_id": ("text", False, None),
        "conversation_id": ("text", False, None),
        "author_id": ("text", False, None),
        "created_at": (TS, False, "now()"),
    },
    # The seed's Phase 3 (migration 0006)
    "daily_analytics": {
        "id": ("text", False, None),
        "date": ("date", False, None),
        "organization_id": ("text", False, None),
        "messages_received": ("integer", False, "0"),
        "messages_sent": ("integer", False, "0"),
        "conversations_new": ("integer", False, "0"),
        "avg_response_time": ("integer", True, None),
    },
}

# Tables beyond the seed, each with its primary key column.
ADDED_TABLES = {
    "webhook_events": "id",  # the relay's durable queue
    "attachments": "message_id",  # the bytes of files sent and received
    "platform_apps": "id",  # the business's own Meta / TikTok app credentials
    "invites": "id",  # invite codes (only a hash of their secret)
    # analytics per platform, the rollup's queue of changed conversations, retention
    "daily_platform_analytics": "id",
    "analytics_pending": "id",
    "history_retention": "id",
    "member_logins": "login",  # each member's own database login (migration 0013)
    "inbox_count_changes": "id",  # the sidebar's counts, kept as conversations change
    "licences": "id",  # the licences the owner entered, the plan's source (migration 0014)
    "api_keys": "id",  # the REST API's keys, only a hash of each (migration 0014)
    # outgoing webhooks and each event's delivery to each (migration 0015)
    "outgoing_webhooks": "id",
    "webhook_deliveries": "id",
    "quick_replies": "id",  # the team's saved answers, typed as /shortcut (migration 0020)
    "assignment_count_changes": "id",  # Mine / Unassigned counts, kept as they change (0023)
    "automatic_replies": "id",  # each away / greeting message queued, keyed once (0027)
}
# Added tables keyed by what they belong to, not an id of their own.
ADDED_COMPOSITE_KEYS = {
    "reply_drafts": ("conversation_id", "user_id"),  # a member's unsent reply, per conversation
    "work_leases": ("organization_id", "name"),  # which app works a connection, until when
    "business_hours": ("organization_id",),  # the organisation's hours and messages (0027)
    # each conversation's figures for a day, kept by the rollup (0029)
    "conversation_day_analytics": ("organization_id", "date", "conversation_id"),
}

# (table, column list, unique, partial predicate)
SEED_INDEXES = {
    ("users", "email", True, None),
    ("users", "google_id", True, None),
    ("organizations", "slug", True, None),
    ("organization_members", "organization_id, user_id", True, None),
    ("platform_connections", "organization_id, platform, platform_user_id", True, None),
    ("conversations", "platform_connection_id, external_id", True, None),
    ("conversations", "organization_id, updated_at DESC", False, None),
    ("conversations", "platform, updated_at DESC", False, None),
    ("messages", "conversation_id, created_at DESC", False, None),
    ("messages", "conversation_id, external_id", True, "(external_id IS NOT NULL)"),
    ("labels", "organization_id, name", True, None),
    # beyond the seed: a name is unique whatever its case
    ("labels", "organization_id, lower(name)", True, None),
    ("daily_analytics", "organization_id, date", True, None),
    # beyond the seed (0013): one platform account belongs to one organisation
    ("platform_connections", "platform, platform_user_id", True, None),
}

# (table, column) -> (referenced table, on delete)
SEED_FOREIGN_KEYS = {
    ("organizations", "owner_id"): ("users", "CASCADE"),
    ("organization_members", "user_id"): ("users", "CASCADE"),
    ("organization_members", "organization_id"): ("organizations", "CASCADE"),
    ("platform_connections", "organization_id"): ("organizations", "CASCADE"),
    ("conversations", "organization_id"): ("organizations", "CASCADE"),
    ("conversations", "platform_connection_id"): ("platform_connections", "CASCADE"),
    ("messages", "conversation_id"): ("conversations", "CASCADE"),
    ("messages", "organization_id"): ("organizations", "CASCADE"),
    # Prisma's default for an optional relation; a leaving teammate's replies stay.
    ("messages", "sent_by_user_id"): ("users", "SET NULL"),
    ("labels", "organization_id"): ("organizations", "CASCADE"),
    ("conversation_labels", "conversation_id"): ("conversations", "CASCADE"),
    ("conversation_labels", "label_id"): ("labels", "CASCADE"),
    ("notes", "conversation_id"): ("conversations", "CASCADE"),
    # beyond the seed (0024): with the conversation's organisation, as one key
    ("notes", "organization_id"): ("conversations", "CASCADE"),
    # Like the seed's other required relations to a user: an account's deletion takes it.
    ("notes", "author_id"): ("users", "CASCADE"),
    # beyond the seed: an organisation's own app credentials go with it
    ("platform_apps", "organization_id"): ("organizations", "CASCADE"),
    # Derived rows go with their organisation, as everything of it does in the seed.
    ("daily_analytics", "organization_id"): ("organizations", "CASCADE"),
    ("daily_platform_analytics", "organization_id"): ("organizations", "CASCADE"),
    ("history_retention", "organization_id"): ("organizations", "CASCADE"),
}


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def upgraded(server_url: URL):
    from tests.conftest import create_database, drop_database

    url = create_database(server_url, "snorq_schema_check")
    try:
        assert (
            main(["--database-url", url.render_as_string(hide_password=False), "db", "upgrade"])
            == 0
        )
        with psycopg.connect(_conninfo(url), autocommit=True) as connection:
            yield connection
    finally:
        drop_database(server_url, "snorq_schema_check")


def test_every_enum_has_the_seed_name_and_labels_in_order(upgraded):
    rows = upgraded.execute(
        """SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
           FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname"""
    ).fetchall()
    assert dict(rows) == SEED_ENUMS


def test_every_table_has_the_seed_columns_types_nullability_and_defaults(upgraded):
    rows = upgraded.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                  NOT a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
             AND c.relname <> 'alembic_version'"""
    ).fetchall()
    found: dict[str, dict[str, tuple[str, bool, str | None]]] = {}
    for table, column, type_, nullable, default in rows:
        found.setdefault(table, {})[column] = (type_, nullable, default)
    assert {table: found[table] for table in SEED_COLUMNS} == SEED_COLUMNS
    assert set(found) - set(SEED_COLUMNS) == set(ADDED_TABLES) | set(ADDED_COMPOSITE_KEYS)


def test_every_table_has_a_text_primary_key_named_id(upgraded):
    rows = upgraded.execute(
        """SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu USING (constraint_name, table_name)
           WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public'
             AND tc.table_name <> 'alembic_version'"""
    ).fetchall()
    tables = [t for t in SEED_COLUMNS if t != "conversation_labels"]
    assert sorted(rows) == sorted(
        [
            *((table, "id") for table in tables),
            *ADDED_TABLES.items(),
            # The seed's @@id([conversationId, labelId])
            ("conversation_labels", "conversation_id"),
            ("conversation_labels", "label_id"),
            *(
                (table, column)
                for table, columns in ADDED_COMPOSITE_KEYS.items()
                for column in columns
            ),
        ]
    )


def test_the_seed_indexes_and_unique_constraints_exist(upgraded):
    rows = upgraded.execute(
        """SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique,
                  pg_get_expr(i.indpred, i.indrelid)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
           WHERE NOT i.indisprimary"""
    ).fetchall()
    found = set()
    for table, definition, unique, predicate in rows:
        found.add((table, _indexed_columns(definition), unique, predicate))
    missing = SEED_INDEXES - found
    assert not missing, f"missing indexes: {missing}"


def _indexed_columns(definition: str) -> str:
    """What stands between the parentheses after USING method, nested ones included."""
    start = definition.index("(", definition.index(" USING "))
    depth = 0
    for position in range(start, len(definition)):
        depth += {"(": 1, ")": -1}.get(definition[position], 0)
        if depth == 0:
            return definition[start + 1 : position]
    raise ValueError(definition)


def test_the_seed_cascades(upgraded):
    rows = upgraded.execute(
        """SELECT tc.table_name, kcu.column_name, ccu.table_name, rc.delete_rule
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu USING (constraint_name, table_name)
           JOIN information_schema.constraint_column_usage ccu USING (constraint_name)
           JOIN information_schema.referential_constraints rc USING (constraint_name)
           WHERE tc.constraint_type = 'FOREIGN KEY'
             AND constraint_name <> 'conversations_assignee_member_fkey'"""
    ).fetchall()
    found = {(t, c): (ref, rule) for t, c, ref, rule in rows}
    # The one key of two columns (0023): an assignee is a member of the
    # conversation's organisation; they leave by the trigger, not by cascade.
    member_key = upgraded.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conname = 'conversations_assignee_member_fkey'"
    ).fetchone()
    assert member_key == (
        "FOREIGN KEY (organization_id, assignee_user_id) "
        "REFERENCES organization_members(organization_id, user_id)",
    )
    # Tables beyond the seed go with what they hang off.
    assert found == SEED_FOREIGN_KEYS | {
        ("attachments", "message_id"): ("messages", "CASCADE"),
        # a draft goes with its conversation, its writer or its organisation
        ("reply_drafts", "conversation_id"): ("conversations", "CASCADE"),
        ("reply_drafts", "organization_id"): ("organizations", "CASCADE"),
        ("reply_drafts", "user_id"): ("users", "CASCADE"),
        # invites go with their organisation; who made or used one may leave
        ("invites", "organization_id"): ("organizations", "CASCADE"),
        ("invites", "created_by"): ("users", "SET NULL"),
        ("invites", "used_by"): ("users", "SET NULL"),
        # a person's login goes with them
        ("member_logins", "user_id"): ("users", "CASCADE"),
        ("inbox_count_changes", "organization_id"): ("organizations", "CASCADE"),
        # a licence goes with its organisation; who entered it may leave
        ("licences", "organization_id"): ("organizations", "CASCADE"),
        ("licences", "activated_by"): ("users", "SET NULL"),
        ("work_leases", "organization_id"): ("organizations", "CASCADE"),
        # an API key goes with its organisation; its maker may leave (it then opens nothing)
        ("api_keys", "organization_id"): ("organizations", "CASCADE"),
        ("api_keys", "created_by"): ("users", "SET NULL"),
        # a webhook and its deliveries go with the organisation; its maker may leave
        ("outgoing_webhooks", "organization_id"): ("organizations", "CASCADE"),
        ("outgoing_webhooks", "created_by"): ("users", "SET NULL"),
        ("webhook_deliveries", "organization_id"): ("organizations", "CASCADE"),
        ("webhook_deliveries", "webhook_id"): ("outgoing_webhooks", "CASCADE"),
        # the team's quick replies go with the organisation; their maker may leave
        ("quick_replies", "organization_id"): ("organizations", "CASCADE"),
        ("quick_replies", "created_by"): ("users", "SET NULL"),
        ("assignment_count_changes", "organization_id"): ("organizations", "CASCADE"),
        # the assignee may leave (0021: back to Unassigned)
        ("conversations", "assignee_user_id"): ("users", "SET NULL"),
        # business hours go with the organisation; an automatic answer's key with
        # its conversation, and it outlives its purged message (its period is answered)
        ("business_hours", "organization_id"): ("organizations", "CASCADE"),
        ("business_hours", "updated_by"): ("users", "SET NULL"),
        ("automatic_replies", "organization_id"): ("organizations", "CASCADE"),
        ("automatic_replies", "conversation_id"): ("conversations", "CASCADE"),
        ("automatic_replies", "message_id"): ("messages", "SET NULL"),
        # derived figures go with their conversation, by one key of both (0029)
        ("conversation_day_analytics", "organization_id"): ("conversations", "CASCADE"),
        ("conversation_day_analytics", "conversation_id"): ("conversations", "CASCADE"),
    }


def test_plain_sql_inserts_get_the_seed_defaults(upgraded):
    upgraded.execute("BEGIN")
    try:
        upgraded.execute("INSERT INTO users (id, email) VALUES ('u1', 'a@example.com')")
        upgraded.execute(
            "INSERT INTO organizations (id, name, slug, owner_id) "
            "VALUES ('o1', 'Shop', 'shop', 'u1')"
        )
        upgraded.execute(
            "INSERT INTO organization_members (id, organization_id, user_id) "
            "VALUES ('m1', 'o1', 'u1')"
        )
        upgraded.execute(
            """INSERT INTO platform_connections (id, organization_id, platform, platform_user_id,
               access_token) VALUES ('p1', 'o1', 'WHATSAPP', '1055', 'sealed')"""
        )
        upgraded.execute(
            """INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
               external_id, contact_external_id) VALUES ('c1','o1','p1','WHATSAPP','x','y')"""
        )
        upgraded.execute(
            """INSERT INTO messages (id, conversation_id, organization_id, direction)
               VALUES ('g1', 'c1', 'o1', 'INBOUND')"""
        )
        org = upgraded.execute(
            "SELECT plan::text, created_at IS NOT NULL, updated_at IS NOT NULL FROM organizations"
        ).fetchone()
        member = upgraded.execute(
            "SELECT role::text, joined_at IS NOT NULL FROM organization_members"
        ).fetchone()
        connection = upgraded.execute("SELECT status::text FROM platform_connections").fetchone()
        conversation = upgraded.execute(
            "SELECT unread_count, status::text, labels FROM conversations"
        ).fetchone()
        message = upgraded.execute(
            "SELECT content_type::text, status::text FROM messages"
        ).fetchone()
    finally:
        upgraded.execute("ROLLBACK")
    assert org == ("FREE", True, True)
    assert member == ("MEMBER", True)
    assert connection == ("ACTIVE",)
    assert conversation == (0, "OPEN", [])
    assert message == ("TEXT", "SENT")


def test_a_platform_message_is_stored_once(upgraded):
    upgraded.execute("BEGIN")
    try:
        upgraded.execute("INSERT INTO users (id, email) VALUES ('u1', 'a@example.com')")
        upgraded.execute(
            "INSERT INTO organizations (id, name, slug, owner_id) VALUES ('o1','Shop','shop','u1')"
        )
        upgraded.execute(
            """INSERT INTO platform_connections (id, organization_id, platform, platform_user_id,
               access_token) VALUES ('p1','o1','TIKTOK','b1','sealed')"""
        )
        upgraded.execute(
            """INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
               external_id, contact_external_id) VALUES ('c1','o1','p1','TIKTOK','x','y')"""
        )
        insert = """INSERT INTO messages
                      (id, conversation_id, organization_id, direction, external_id)
                    VALUES (%s, 'c1', 'o1', 'INBOUND', %s) ON CONFLICT DO NOTHING"""
        upgraded.execute(insert, ("g1", "m-1"))
        upgraded.execute(insert, ("g2", "m-1"))  # the same platform message again
        upgraded.execute(insert, ("g3", None))  # our own unsent messages have no external id
        upgraded.execute(insert, ("g4", None))
        count = upgraded.execute("SELECT count(*) FROM messages").fetchone()
    finally:
        upgraded.execute("ROLLBACK")
    assert count == (3,)


def test_a_note_belongs_to_its_conversations_organisation(upgraded):
    """The database refuses a note filed under another shop than its conversation's
    (0024), so filtering notes by organization_id alone is as safe as the join was."""
    upgraded.execute("BEGIN")
    try:
        upgraded.execute("INSERT INTO users (id, email) VALUES ('u1', 'a@example.com')")
        upgraded.execute(
            "INSERT INTO organizations (id, name, slug, owner_id) "
            "VALUES ('o1','Shop','shop','u1'), ('o2','Other','other','u1')"
        )
        upgraded.execute(
            """INSERT INTO platform_connections (id, organization_id, platform, platform_user_id,
               access_token) VALUES ('p1','o1','TIKTOK','b1','sealed')"""
        )
        upgraded.execute(
            """INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
               external_id, contact_external_id) VALUES ('c1','o1','p1','TIKTOK','x','y')"""
        )
        insert = """INSERT INTO notes (id, content, organization_id, conversation_id, author_id)
                    VALUES (%s, 'hi', %s, 'c1', 'u1')"""
        upgraded.execute(insert, ("n1", "o1"))
        upgraded.execute("SAVEPOINT other_shop")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            upgraded.execute(insert, ("n2", "o2"))
        upgraded.execute("ROLLBACK TO SAVEPOINT other_shop")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            upgraded.execute("UPDATE notes SET organization_id = 'o2' WHERE id = 'n1'")
    finally:
        upgraded.execute("ROLLBACK")
