"""Plans come from signed licences (#20): a ``licences`` table, and
``organizations.plan`` written only from a licence.

What the database can and cannot check.  A licence is SNORQ's Ed25519
signature over a small JSON payload (snorq_desktop/domain/licence.py).
PostgreSQL cannot check an Ed25519 signature: pgcrypto (PG 15, 16) signs and
verifies only PGP messages, with RSA/DSA/ElGamal keys, and has no Ed25519 or
raw-signature function.  So the work is split, honestly:

- The app checks the signature before it hands the licence over, and every
  app checks the stored licence's signature again whenever it reads the plan;
  a stored licence that does not verify counts as no licence (the Free plan's
  rules, and the app says so), so a forged row gains nothing in any app.
- The database checks everything but the signature, from the licence text
  itself (it decodes the payload; it takes no plan or seat count from the
  caller): only the organisation's OWNER may enter one, it must name this
  organisation, must not have ended, and the members must fit its seats.  It
  stores the licence and sets the plan in the same transaction, and tells the
  team's apps (NOTIFY), so one activation serves the team.
- No app login can write ``organizations.plan`` otherwise: members never had
  UPDATE on the column (0013), and ``snorq_change_plan`` is from here on for
  the database's administrator only (a login holding the owner role, which can
  write any row anyway; tests and the demo set plans with it).  What remains
  open is an OWNER with a hand-made client storing an unsigned licence: the
  database then grants the seats, but every SNORQ app shows the Free plan and
  refuses to invite, and says the stored licence is not SNORQ's.

Expiry is gentle: the database's seat rules treat an organisation whose newest
licence has ended as FREE at once (``snorq_lock_organization`` hands the rules
the plan in force), and any member's app lowers the column to FREE when it
sees that (``snorq_lapse_licence``), so the history rules (a warning, a week of
grace, then the purge) start as on any FREE shop.  Nothing is deleted at the
moment of expiry, the licence row stays, and entering a renewed licence puts
the plan back.

Revision ID: 0016_plan_licences
Revises: 0015_member_search
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016_plan_licences"
down_revision: str | None = "0015_member_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
MINE = "organization_id = ANY ((SELECT snorq_organizations_of(current_user))::text[])"

_MALFORMED = (
    "This is not a SNORQ licence (it should start with snorq-licence-v1. and was perhaps "
    "not copied whole): paste the whole text SNORQ sent, or open the licence file."
)

_FUNCTIONS = f"""
-- The licence's payload (base64url JSON between the first and second dot).
CREATE FUNCTION snorq_licence_payload(p_text text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public AS $$
DECLARE
    v_part text := split_part(p_text, '.', 2);
BEGIN
    IF split_part(p_text, '.', 1) <> 'snorq-licence-v1' OR split_part(p_text, '.', 3) = ''
       OR split_part(p_text, '.', 4) <> '' THEN
        RAISE EXCEPTION '{_MALFORMED}' USING ERRCODE = 'SQ008';
    END IF;
    v_part := translate(v_part, '-_', '+/');
    v_part := v_part || repeat('=', (4 - length(v_part) % 4) % 4);
    RETURN convert_from(decode(v_part, 'base64'), 'UTF8')::jsonb;
EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION '{_MALFORMED}' USING ERRCODE = 'SQ008';
END $$;

-- The plan in force: an organisation whose newest licence has ended is FREE,
-- whatever the column still says (nothing is written at the moment it ends).
CREATE FUNCTION snorq_plan_in_force(p_org text, p_plan "PlanType") RETURNS "PlanType"
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT CASE WHEN p_plan <> 'FREE' AND EXISTS (
        SELECT 1 FROM (SELECT expires_at FROM licences WHERE organization_id = p_org
                        ORDER BY activated_at DESC LIMIT 1) newest
         WHERE newest.expires_at <= now()) THEN 'FREE'::"PlanType" ELSE p_plan END
$$;

-- 0013's, now handing every rule (seats of invites and joins) the plan in force.
CREATE OR REPLACE FUNCTION snorq_lock_organization(p_org text) RETURNS organizations
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v organizations;
BEGIN
    SELECT * INTO v FROM organizations WHERE id = p_org FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'That organisation no longer exists.' USING ERRCODE = 'SQ004';
    END IF;
    v.plan := snorq_plan_in_force(p_org, v.plan);
    RETURN v;
END $$;

-- The organisation's own NOTIFY channel, as domain/team_notice.py names it:
-- NOTIFY is outside row-level security, so each shop hears only its own.
CREATE FUNCTION snorq_team_channel(p_org text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT 'snorq_changes_' || left(encode(sha256(convert_to(p_org, 'UTF8')), 'hex'), 40)
$$;

CREATE FUNCTION snorq_activate_licence(p_actor text, p_org text, p_text text) RETURNS "PlanType"
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
    v jsonb := snorq_licence_payload(p_text);
    v_plan "PlanType";
    v_seats int;
    v_issued timestamptz;
    v_expires timestamptz;
    v_members int;
BEGIN
    IF v_actor IS DISTINCT FROM v_org.owner_id THEN
        RAISE EXCEPTION 'Only the owner can enter a licence: ask %.',
                        (SELECT email FROM users WHERE id = v_org.owner_id)
            USING ERRCODE = 'SQ001';
    END IF;
    BEGIN
        v_plan := (v ->> 'plan')::"PlanType";
        v_seats := (v ->> 'seats')::int;
        v_issued := (v ->> 'issued_at')::timestamptz;
        v_expires := (v ->> 'expires_at')::timestamptz;
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION '{_MALFORMED}' USING ERRCODE = 'SQ008';
    END;
    IF v_plan IS NULL OR v_plan = 'FREE' OR v_seats IS DISTINCT FROM snorq_seats(v_plan)
       OR v_expires IS NULL OR v ->> 'licence_id' IS NULL THEN
        RAISE EXCEPTION '{_MALFORMED}' USING ERRCODE = 'SQ008';
    END IF;
    IF v ->> 'organization_id' IS DISTINCT FROM p_org THEN
        RAISE EXCEPTION 'This licence is for another organisation (%), not %: ask SNORQ for a '
                        'licence for %.', v ->> 'organization_slug', v_org.slug, v_org.slug
            USING ERRCODE = 'SQ008';
    END IF;
    IF v_expires <= now() THEN
        RAISE EXCEPTION 'This licence ended on %: ask SNORQ for a renewed one.',
                        to_char(v_expires, 'FMDD Mon YYYY') USING ERRCODE = 'SQ008';
    END IF;
    SELECT count(*) INTO v_members FROM organization_members WHERE organization_id = p_org;
    IF v_members > v_seats THEN
        RAISE EXCEPTION 'This % licence has % seats, and % has % members: remove % member(s) '
                        'in Team ▸ Members… first, or ask SNORQ for a plan with more seats.',
                        initcap(v_plan::text), v_seats, v_org.slug, v_members,
                        v_members - v_seats
            USING ERRCODE = 'SQ003';
    END IF;
    INSERT INTO licences (id, organization_id, licence_id, plan, seats, issued_at, expires_at,
                          text, activated_by)
    VALUES (md5(p_text), p_org, v ->> 'licence_id', v_plan, v_seats, v_issued, v_expires,
            p_text, v_actor)
    ON CONFLICT (id) DO UPDATE SET activated_at = now(), activated_by = EXCLUDED.activated_by;
    UPDATE organizations SET plan = v_plan, updated_at = now() WHERE id = p_org;
    PERFORM pg_notify(snorq_team_channel(p_org),
                      json_build_object('o', p_org, 'from', 'licence', 'plan', 1)::text);
    RETURN v_plan;
END $$;

-- Any member's app, on seeing the newest licence has ended: the column follows
-- (FREE), so the history rules start.  Never raises a plan.
CREATE FUNCTION snorq_lapse_licence(p_org text) RETURNS "PlanType"
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_plan "PlanType";
BEGIN
    IF NOT (pg_has_role(session_user, '{OWNER}', 'MEMBER')
            OR p_org = ANY (snorq_organizations_of(session_user))) THEN
        RAISE EXCEPTION 'You are not a member of this organisation.' USING ERRCODE = 'SQ001';
    END IF;
    SELECT plan INTO v_plan FROM organizations WHERE id = p_org;
    IF v_plan IS NULL OR snorq_plan_in_force(p_org, v_plan) = v_plan THEN
        RETURN v_plan;
    END IF;
    UPDATE organizations SET plan = 'FREE', updated_at = now() WHERE id = p_org;
    PERFORM pg_notify(snorq_team_channel(p_org),
                      json_build_object('o', p_org, 'from', 'licence', 'plan', 1)::text);
    RETURN 'FREE';
END $$;
"""

_CHANGE_PLAN = """
CREATE OR REPLACE FUNCTION snorq_change_plan(p_actor text, p_org text, p_plan "PlanType")
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
    v_members int;
BEGIN
    IF {guard} THEN
        RAISE EXCEPTION '{refusal}' USING ERRCODE = 'SQ001';
    END IF;
    IF v_actor IS DISTINCT FROM v_org.owner_id THEN
        RAISE EXCEPTION 'Only the owner can change the plan.' USING ERRCODE = 'SQ001';
    END IF;
    SELECT count(*) INTO v_members FROM organization_members WHERE organization_id = p_org;
    IF v_members > snorq_seats(p_plan) THEN
        RAISE EXCEPTION 'The % plan has % seat(s), and this organisation has % members. '
                        'Remove members first.', initcap(p_plan::text), snorq_seats(p_plan),
                        v_members
            USING ERRCODE = 'SQ003';
    END IF;
    UPDATE organizations SET plan = p_plan, updated_at = now() WHERE id = p_org;
END $$;
"""
ADMIN_ONLY = "NOT pg_has_role(session_user, 'snorq_owner', 'MEMBER')"
ADMIN_REFUSAL = (
    "The plan follows the licence: the owner enters the licence SNORQ sent in Team ▸ Plan… "
    "(or with snorq-desktop plan activate FILE)."
)
OWNER_ONLY = "false"  # 0013: the owner check below was the only one
OWNER_REFUSAL = ""

_OLD_LOCK = """
CREATE OR REPLACE FUNCTION snorq_lock_organization(p_org text) RETURNS organizations
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v organizations;
BEGIN
    SELECT * INTO v FROM organizations WHERE id = p_org FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'That organisation no longer exists.' USING ERRCODE = 'SQ004';
    END IF;
    RETURN v;
END $$;
"""

# 0013's grant function keeps its body under another name; the new one adds this
# revision's grants, and no longer lets a member's login call snorq_change_plan.
_GRANTS = """
CREATE FUNCTION snorq_grant_member_privileges(p_login name) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM snorq_grant_member_privileges_before_licences(p_login);
    EXECUTE format('GRANT SELECT ON licences TO %I', p_login);
    EXECUTE format('GRANT EXECUTE ON FUNCTION snorq_activate_licence(text, text, text), '
                   'snorq_lapse_licence(text) TO %I', p_login);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION snorq_change_plan(text, text, "PlanType") '
                   'FROM %I', p_login);
END $$;
"""

# Every login made before this revision: members' and pending invites'.
_EXISTING_LOGINS = """
DO $$ DECLARE l record; BEGIN
    FOR l IN SELECT login FROM member_logins
             UNION SELECT login FROM invites WHERE login IS NOT NULL LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = l.login) THEN
            PERFORM {function}(l.login);
        END IF;
    END LOOP;
END $$
"""


def upgrade() -> None:
    # As the owner role, like 0013 (env.py decides the role once per run, before
    # 0013 exists on a new database), so the table and functions are its own.
    op.execute(f"SET ROLE {OWNER}")
    op.create_table(
        "licences",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("licence_id", sa.Text(), nullable=False),
        sa.Column(
            "plan",
            postgresql.ENUM("FREE", "PRO", "BUSINESS", name="PlanType", create_type=False),
            nullable=False,
        ),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("activated_by", sa.Text(), nullable=True),
        sa.Column(
            "activated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="licences_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["activated_by"], ["users.id"], name="licences_activated_by_fkey", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="licences_pkey"),
    )
    op.create_index("licences_organization_id_idx", "licences", ["organization_id"])
    op.execute("REVOKE ALL ON licences FROM PUBLIC")
    op.execute("ALTER TABLE licences ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE licences FORCE ROW LEVEL SECURITY")
    # Every member's app reads (and checks) the licence; only the function writes.
    op.execute(f"CREATE POLICY licences_read ON licences FOR SELECT TO PUBLIC USING ({MINE})")
    op.execute(
        f"CREATE POLICY owner_all ON licences TO {OWNER} USING (true) WITH CHECK (true)"
    )
    op.execute(_FUNCTIONS)
    op.execute(_CHANGE_PLAN.format(guard=ADMIN_ONLY, refusal=ADMIN_REFUSAL))
    op.execute(
        "ALTER FUNCTION snorq_grant_member_privileges(name) "
        "RENAME TO snorq_grant_member_privileges_before_licences"
    )
    op.execute(_GRANTS)
    op.execute(_EXISTING_LOGINS.format(function="snorq_grant_member_privileges"))
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.execute("DROP FUNCTION snorq_grant_member_privileges(name)")
    op.execute(
        "ALTER FUNCTION snorq_grant_member_privileges_before_licences(name) "
        "RENAME TO snorq_grant_member_privileges"
    )
    op.execute(_EXISTING_LOGINS.format(function="snorq_grant_member_privileges"))
    op.execute(_CHANGE_PLAN.format(guard=OWNER_ONLY, refusal=OWNER_REFUSAL))
    op.execute(_OLD_LOCK)
    for function in (
        "snorq_lapse_licence(text)",
        "snorq_activate_licence(text, text, text)",
        "snorq_plan_in_force(text, \"PlanType\")",
        "snorq_licence_payload(text)",
        "snorq_team_channel(text)",
    ):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_index("licences_organization_id_idx", table_name="licences")
    op.drop_table("licences")
    op.execute("RESET ROLE")
