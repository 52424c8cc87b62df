"""API keys for the BUSINESS plan's REST API (#18), and the API's own login.

- ``api_keys``: one row per key, holding only the SHA-256 of the key (the key
  itself is shown once), its name, maker, role (never above the maker's),
  when it was made, last used and revoked.  Tenant table: RLS ENABLEd and
  FORCEd, read by the organisation's owners and admins (never the hash
  column), written only through the SECURITY DEFINER functions below.
- ``snorq_api`` (NOLOGIN until an administrator gives it a password): the
  login the API server uses.  It holds a member's table privileges, so every
  statement it runs is under row-level security like a member's app.  Each
  request's transaction first calls :func:`snorq_api_begin` with the hash of
  the presented key; that checks the key (known, not revoked, a BUSINESS
  organisation, a maker still in it) and sets ``snorq.api_key`` for the
  transaction only.  The wall's helpers answer for ``snorq_api`` from that
  setting: the key's organisation, its role capped at its maker's current
  role, and its maker as the acting person.  Setting ``snorq.api_key`` by
  hand opens nothing without the hash of a live key, which no login can read.
- ``messages.idempotency_key``: a reply posted through the API carries the
  client's Idempotency-Key (prefixed by its key's id), unique per
  organisation, so a retried POST finds the reply it already queued.

Revision ID: 0018_api_keys
Revises: 0017_work_leases
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018_api_keys"
down_revision: str | None = "0017_work_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
API = "snorq_api"


def _security_migration() -> object:
    """0013's module (its grants are extended here, not copied)."""
    path = next(Path(__file__).parent.glob("0013_*.py"))
    spec = importlib.util.spec_from_file_location("snorq_migration_0013", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


API_KEY_GRANTS = [
    "GRANT SELECT (id, organization_id, name, key_prefix, role, created_by, created_at, "
    "last_used_at, revoked_at) ON api_keys TO %1$I",
    'GRANT EXECUTE ON FUNCTION snorq_create_api_key(text, text, text, text, "MemberRole", '
    "text, text), snorq_revoke_api_key(text, text, text) TO %1$I",
]

_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{API}') THEN
        CREATE ROLE {API} NOLOGIN;
    END IF;
END $$
"""

# The key the current transaction authenticated, as the wall sees it: only for
# the API's login (or a login that may act as it: an administrator).
_GRANT_OF = """
CREATE FUNCTION snorq_api_grant(p_login name)
RETURNS TABLE (organization_id text, user_id text, role "MemberRole")
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT k.organization_id, k.created_by,
           CASE WHEN snorq_rank(m.role) < snorq_rank(k.role) THEN m.role ELSE k.role END
      FROM api_keys k
      JOIN organizations o ON o.id = k.organization_id
                       AND snorq_plan_in_force(o.id, o.plan) = 'BUSINESS'
      JOIN organization_members m ON m.organization_id = k.organization_id
                                 AND m.user_id = k.created_by
     WHERE p_login = 'snorq_api' AND pg_has_role(session_user, 'snorq_api', 'MEMBER')
       AND k.key_hash = current_setting('snorq.api_key', true) AND k.revoked_at IS NULL
$$;
"""

_HELPERS = """
CREATE OR REPLACE FUNCTION snorq_user_ids_of(p_login name) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(u), '{}') FROM (
        SELECT l.user_id AS u FROM member_logins l
         WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
        UNION ALL
        SELECT g.user_id FROM snorq_api_grant(p_login) g
    ) s
$$;

CREATE OR REPLACE FUNCTION snorq_organizations_of(p_login name, p_roles text[] DEFAULT NULL)
RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(DISTINCT o), '{}') FROM (
        SELECT m.organization_id AS o
          FROM member_logins l JOIN organization_members m ON m.user_id = l.user_id
         WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
           AND (p_roles IS NULL OR m.role::text = ANY (p_roles))
        UNION ALL
        SELECT g.organization_id FROM snorq_api_grant(p_login) g
         WHERE p_roles IS NULL OR g.role::text = ANY (p_roles)
    ) s
$$;

CREATE OR REPLACE FUNCTION snorq_teammates_of(p_login name) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(DISTINCT u), '{}') FROM (
        SELECT l.user_id AS u FROM member_logins l
         WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
        UNION
        SELECT other.user_id FROM member_logins l
          JOIN organization_members m ON m.user_id = l.user_id
          JOIN organization_members other ON other.organization_id = m.organization_id
         WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
        UNION
        SELECT other.user_id FROM snorq_api_grant(p_login) g
          JOIN organization_members other ON other.organization_id = g.organization_id
    ) s
$$;
"""

_KEYS = """
CREATE FUNCTION snorq_plan_refusal(p_plan "PlanType") RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'API access comes with the Business plan; this organisation is on the '
           || initcap(p_plan::text) || ' plan. The owner can upgrade it in Team ▸ Plan.'
$$;

CREATE FUNCTION snorq_create_api_key(
    p_actor text, p_id text, p_org text, p_name text, p_role "MemberRole", p_hash text,
    p_prefix text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
    v_actor_role "MemberRole" := snorq_required_role(p_org, v_actor);
    v_name text := btrim(coalesce(p_name, ''));
BEGIN
    IF v_org.plan <> 'BUSINESS' THEN
        RAISE EXCEPTION '%', snorq_plan_refusal(v_org.plan) USING ERRCODE = 'SQ011';
    END IF;
    IF v_actor_role NOT IN ('OWNER', 'ADMIN') THEN
        RAISE EXCEPTION 'Only an owner or an admin can make API keys.' USING ERRCODE = 'SQ001';
    END IF;
    IF snorq_rank(p_role) > snorq_rank(v_actor_role) THEN
        RAISE EXCEPTION 'Your role (%) does not allow a key with the role %.',
                        v_actor_role, p_role USING ERRCODE = 'SQ001';
    END IF;
    IF v_name = '' OR length(v_name) > 100 THEN
        RAISE EXCEPTION 'An API key needs a name of 1 to 100 characters.' USING ERRCODE = 'SQ005';
    END IF;
    IF p_hash IS NULL OR p_hash !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'An API key is stored as its SHA-256 (64 hexadecimal digits).'
            USING ERRCODE = 'SQ005';
    END IF;
    IF EXISTS (SELECT 1 FROM api_keys WHERE organization_id = p_org AND name = v_name
                                         AND revoked_at IS NULL) THEN
        RAISE EXCEPTION 'This organisation already has an API key named “%”.', v_name
            USING ERRCODE = 'SQ006';
    END IF;
    INSERT INTO api_keys (id, organization_id, name, key_prefix, key_hash, role, created_by)
    VALUES (p_id, p_org, v_name, p_prefix, p_hash, p_role, v_actor);
END $$;

CREATE FUNCTION snorq_revoke_api_key(p_actor text, p_org text, p_key text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_key api_keys;
BEGIN
    PERFORM snorq_lock_organization(p_org);
    IF snorq_required_role(p_org, v_actor) NOT IN ('OWNER', 'ADMIN') THEN
        RAISE EXCEPTION 'Only an owner or an admin can revoke API keys.' USING ERRCODE = 'SQ001';
    END IF;
    SELECT * INTO v_key FROM api_keys
     WHERE organization_id = p_org AND revoked_at IS NULL AND (id = p_key OR name = btrim(p_key))
     ORDER BY id = p_key DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'This organisation has no API key “%” in use.', p_key
            USING ERRCODE = 'SQ004';
    END IF;
    UPDATE api_keys SET revoked_at = now() WHERE id = v_key.id;
    RETURN v_key.name;
END $$;

-- The first statement of every API request's transaction.  The refusals carry
-- SQ010 (no such key in use: 401) or SQ011 (the plan: 403).
CREATE FUNCTION snorq_api_begin(p_hash text)
RETURNS TABLE (key_id text, organization_id text, role "MemberRole", user_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
    v_key api_keys;
    v_plan "PlanType";
BEGIN
    IF NOT pg_has_role(session_user, 'snorq_api', 'MEMBER') THEN
        RAISE EXCEPTION 'Only the API''s login checks API keys.' USING ERRCODE = 'SQ001';
    END IF;
    SELECT * INTO v_key FROM api_keys k WHERE k.key_hash = p_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'This API key is not known: check it was copied whole.'
            USING ERRCODE = 'SQ010';
    END IF;
    IF v_key.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'This API key was revoked on %.',
                        to_char(v_key.revoked_at, 'DD FMMonth YYYY') USING ERRCODE = 'SQ010';
    END IF;
    -- The plan in force: a licence that has ended gives the Free rules at once.
    SELECT snorq_plan_in_force(o.id, o.plan) INTO v_plan
      FROM organizations o WHERE o.id = v_key.organization_id;
    IF v_plan <> 'BUSINESS' THEN
        RAISE EXCEPTION '%', snorq_plan_refusal(v_plan) USING ERRCODE = 'SQ011';
    END IF;
    IF snorq_role_in(v_key.organization_id, v_key.created_by) IS NULL THEN
        RAISE EXCEPTION 'This API key''s maker has left the organisation, so it no longer '
                        'opens anything; make a new one.' USING ERRCODE = 'SQ010';
    END IF;
    -- At most one write a minute per key: the list shows "last used" to the minute.
    UPDATE api_keys k SET last_used_at = now()
     WHERE k.id = v_key.id AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
    PERFORM set_config('snorq.api_key', p_hash, true);
    RETURN QUERY SELECT v_key.id, g.organization_id, g.role, g.user_id
                   FROM snorq_api_grant('snorq_api') g;
END $$;
"""


_FUNCTIONS = (
    "snorq_api_begin(text)",
    "snorq_revoke_api_key(text, text, text)",
    'snorq_create_api_key(text, text, text, text, "MemberRole", text, text)',
    'snorq_plan_refusal("PlanType")',
)


def _grant_line(grant: str) -> str:
    return f"    EXECUTE format('{grant}', p_login);\n"


def _grants_source() -> str:
    return str(
        op.get_bind()
        .execute(
            sa.text(
                "SELECT prosrc FROM pg_proc WHERE proname = 'snorq_grant_member_privileges' "
                "AND pronamespace = 'public'::regnamespace"
            )
        )
        .scalar_one()
    )


def _replace_grants(source: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION snorq_grant_member_privileges(p_login name) RETURNS void "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS "
        f"$grants${source}$grants$"
    )


def add_member_grants(grants: list[str]) -> None:
    """New member logins get ``grants`` too: added to the function as it stands
    (earlier revisions wrap or extend it; replacing it would drop theirs)."""
    source = _grants_source()
    lines = "".join(_grant_line(g) for g in grants if _grant_line(g) not in source)
    head, end, tail = source.rpartition("END")
    _replace_grants(head + lines + end + tail)


def drop_member_grants(grants: list[str]) -> None:
    source = _grants_source()
    for grant in grants:
        source = source.replace(_grant_line(grant), "")
    _replace_grants(source)


# Every login that already holds a member's privileges gets the new ones too.
_EXISTING_LOGINS = """
DO $$ DECLARE l record; BEGIN
    FOR l IN SELECT login FROM member_logins UNION SELECT login FROM invites
              WHERE login IS NOT NULL LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = l.login) THEN
            PERFORM snorq_grant_member_privileges(l.login);
        END IF;
    END LOOP;
END $$
"""


def upgrade() -> None:
    op.execute(_ROLE)
    # As the owner role even when 0013 ran in this same upgrade (env.py sets it
    # only for a database that was already past 0013).
    op.execute(f"SET ROLE {OWNER}")
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_prefix", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.Text(), nullable=False),
        sa.Column(
            "role",
            postgresql.ENUM(name="MemberRole", create_type=False),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="api_keys_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="api_keys_created_by_fkey", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="api_keys_pkey"),
        sa.UniqueConstraint("key_hash", name="api_keys_key_hash_key"),
    )
    op.create_index("api_keys_organization_id_idx", "api_keys", ["organization_id"])
    op.add_column("messages", sa.Column("idempotency_key", sa.Text(), nullable=True))
    op.create_index(
        "messages_idempotency_key_key",
        "messages",
        ["organization_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.execute(_GRANT_OF)
    op.execute(_HELPERS)
    op.execute(_KEYS)
    op.execute("REVOKE ALL ON api_keys FROM PUBLIC")
    for function in (*_FUNCTIONS, "snorq_api_grant(name)"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute("ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE api_keys FORCE ROW LEVEL SECURITY")
    security = _security_migration()
    managed = security.MANAGED  # type: ignore[attr-defined]
    op.execute(f"CREATE POLICY api_keys_managed ON api_keys FOR SELECT TO PUBLIC USING ({managed})")
    op.execute(f"CREATE POLICY owner_all ON api_keys TO {OWNER} USING (true) WITH CHECK (true)")
    add_member_grants(API_KEY_GRANTS)
    op.execute(_EXISTING_LOGINS)
    # The API's login: a member's privileges (under the policies), and the key check.
    op.execute(f"SELECT snorq_grant_member_privileges('{API}')")
    op.execute(f"GRANT EXECUTE ON FUNCTION snorq_api_begin(text) TO {API}")
    op.execute("RESET ROLE")


def downgrade() -> None:
    security = _security_migration()
    op.execute(f"SET ROLE {OWNER}")
    op.execute(f"REVOKE EXECUTE ON FUNCTION snorq_api_begin(text) FROM {API}")
    drop_member_grants(API_KEY_GRANTS)
    helpers: str = security._HELPERS  # type: ignore[attr-defined]
    wall = helpers.split("-- Who a rule function acts for.")[0]
    op.execute(wall.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    for function in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute("DROP FUNCTION snorq_api_grant(name)")
    op.drop_index("messages_idempotency_key_key", table_name="messages")
    op.drop_column("messages", "idempotency_key")
    op.drop_index("api_keys_organization_id_idx", table_name="api_keys")
    op.drop_table("api_keys")
    op.execute(
        f"""
        DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{API}') THEN
                REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {API};
                REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {API};
                REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {API};
                REVOKE ALL ON SCHEMA public FROM {API};
            END IF;
        END $$
        """
    )
    op.execute("RESET ROLE")
