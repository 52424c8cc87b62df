"""Outgoing webhooks for the Business plan (#18.4): a URL an organisation
registers receives signed events for new messages and status changes.

- ``outgoing_webhooks``: the URL and its signing secret (sealed with the token
  key, like platform tokens); added and removed only through definer
  functions, which check the plan and that the caller is an owner or admin.
- ``webhook_deliveries``: one row per event and webhook, made by triggers on
  ``messages`` (a new inbound message) and ``conversations`` (a status change),
  unique per (webhook, event): an event is queued once.  The sender claims a
  row in its own transaction before posting it, so it is never posted twice.

Revision ID: 0019_outgoing_webhooks
Revises: 0018_api_keys
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019_outgoing_webhooks"
down_revision: str | None = "0018_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"snorq_migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WEBHOOK_GRANTS = [
    "GRANT SELECT ON outgoing_webhooks TO %1$I",
    "GRANT SELECT, UPDATE (attempts, next_attempt_at, sending_since, delivered_at, failed_at, "
    "last_error) ON webhook_deliveries TO %1$I",
    "GRANT EXECUTE ON FUNCTION snorq_add_webhook(text, text, text, text, text), "
    "snorq_remove_webhook(text, text, text) TO %1$I",
]

_FUNCTIONS = """
CREATE FUNCTION snorq_add_webhook(p_actor text, p_id text, p_org text, p_url text,
                                  p_sealed_secret text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
BEGIN
    IF v_org.plan <> 'BUSINESS' THEN
        RAISE EXCEPTION '%', replace(snorq_plan_refusal(v_org.plan), 'API access comes',
                                     'Outgoing webhooks come') USING ERRCODE = 'SQ011';
    END IF;
    IF snorq_required_role(p_org, v_actor) NOT IN ('OWNER', 'ADMIN') THEN
        RAISE EXCEPTION 'Only an owner or an admin can add webhooks.' USING ERRCODE = 'SQ001';
    END IF;
    IF p_url !~ '^https?://[^\\s/]+' OR length(p_url) > 2000 THEN
        RAISE EXCEPTION '“%” is not a web address (https://…).', p_url USING ERRCODE = 'SQ005';
    END IF;
    INSERT INTO outgoing_webhooks (id, organization_id, url, secret, created_by)
    VALUES (p_id, p_org, p_url, p_sealed_secret, v_actor);
END $$;

CREATE FUNCTION snorq_remove_webhook(p_actor text, p_org text, p_webhook text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
BEGIN
    IF snorq_required_role(p_org, v_actor) NOT IN ('OWNER', 'ADMIN') THEN
        RAISE EXCEPTION 'Only an owner or an admin can remove webhooks.' USING ERRCODE = 'SQ001';
    END IF;
    DELETE FROM outgoing_webhooks
     WHERE organization_id = p_org AND (id = p_webhook OR url = p_webhook);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'This organisation has no webhook “%”.', p_webhook USING ERRCODE = 'SQ004';
    END IF;
END $$;

-- Queued as whoever stored the message or changed the status (a member's app,
-- the API): definer, so no member needs INSERT on the deliveries.
CREATE FUNCTION snorq_queue_webhook_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_event text;
    v_event_id text;
    v_data jsonb;
BEGIN
    IF TG_TABLE_NAME = 'messages' THEN
        v_event := 'message.created';
        v_event_id := 'message.created:' || NEW.id;
        v_data := jsonb_build_object(
            'id', NEW.id, 'conversation_id', NEW.conversation_id, 'direction', NEW.direction,
            'content', NEW.content, 'content_type', NEW.content_type,
            'platform_timestamp', NEW.platform_timestamp, 'created_at', NEW.created_at);
    ELSE
        v_event := 'conversation.status_changed';
        v_event_id := 'conversation.status_changed:' || NEW.id || ':' || gen_random_uuid();
        v_data := jsonb_build_object('id', NEW.id, 'status', NEW.status,
                                     'previous_status', OLD.status);
    END IF;
    INSERT INTO webhook_deliveries (id, organization_id, webhook_id, event_id, event, payload)
    SELECT md5(w.id || v_event_id), w.organization_id, w.id, v_event_id, v_event,
           jsonb_build_object('id', v_event_id, 'event', v_event,
                              'organization_id', w.organization_id, 'created_at', now(),
                              'data', v_data)
      FROM outgoing_webhooks w JOIN organizations o ON o.id = w.organization_id
     WHERE w.organization_id = NEW.organization_id
       AND snorq_plan_in_force(o.id, o.plan) = 'BUSINESS'
    ON CONFLICT (webhook_id, event_id) DO NOTHING;
    RETURN NULL;
END $$;
"""


def _policy(table: str, name: str, command: str, using: str) -> str:
    return f"CREATE POLICY {name} ON {table} FOR {command} TO PUBLIC USING ({using})"


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    security, keys = _migration("0013"), _migration("0018")
    op.create_table(
        "outgoing_webhooks",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="outgoing_webhooks_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="outgoing_webhooks_created_by_fkey",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="outgoing_webhooks_pkey"),
    )
    op.create_index(
        "outgoing_webhooks_organization_id_idx", "outgoing_webhooks", ["organization_id"]
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("webhook_id", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="webhook_deliveries_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["outgoing_webhooks.id"],
            name="webhook_deliveries_webhook_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="webhook_deliveries_pkey"),
        sa.UniqueConstraint(
            "webhook_id", "event_id", name="webhook_deliveries_webhook_id_event_id_key"
        ),
    )
    op.create_index(
        "webhook_deliveries_due_idx",
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("delivered_at IS NULL AND failed_at IS NULL"),
    )
    op.execute(_FUNCTIONS)
    op.execute(
        "CREATE TRIGGER messages_webhook_event AFTER INSERT ON messages FOR EACH ROW "
        "WHEN (NEW.direction = 'INBOUND') EXECUTE FUNCTION snorq_queue_webhook_event()"
    )
    op.execute(
        "CREATE TRIGGER conversations_webhook_event AFTER UPDATE OF status ON conversations "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION snorq_queue_webhook_event()"
    )
    mine = security.MINE
    for table in ("outgoing_webhooks", "webhook_deliveries"):
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY owner_all ON {table} TO {OWNER} USING (true) WITH CHECK (true)")
    op.execute(_policy("outgoing_webhooks", "webhooks_read", "SELECT", mine))
    op.execute(_policy("webhook_deliveries", "deliveries_read", "SELECT", mine))
    op.execute(
        "CREATE POLICY deliveries_mark ON webhook_deliveries FOR UPDATE TO PUBLIC "
        f"USING ({mine}) WITH CHECK ({mine})"
    )
    keys.add_member_grants(WEBHOOK_GRANTS)
    op.execute(keys._EXISTING_LOGINS)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    security, keys = _migration("0013"), _migration("0018")
    keys.drop_member_grants(WEBHOOK_GRANTS)
    op.execute("DROP TRIGGER conversations_webhook_event ON conversations")
    op.execute("DROP TRIGGER messages_webhook_event ON messages")
    op.drop_table("webhook_deliveries")
    op.drop_table("outgoing_webhooks")
    op.execute("DROP FUNCTION snorq_queue_webhook_event()")
    op.execute("DROP FUNCTION snorq_remove_webhook(text, text, text)")
    op.execute("DROP FUNCTION snorq_add_webhook(text, text, text, text, text)")
    op.execute("RESET ROLE")
