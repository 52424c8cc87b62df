"""Team security held by the database (#13): an owner role, a login per member,
row-level security on every tenant table, and the seed's role rules in
SECURITY DEFINER functions.

The roles (names are cluster-wide, so one server can hold several team
databases; every CREATE is guarded):

- ``snorq_owner`` (NOLOGIN, CREATEROLE) owns every table and function.  No app
  logs in as it; ``db upgrade`` runs as it (migrations/env.py sets the role), so
  the login that upgrades must be a superuser or a CREATEROLE login that holds
  it (this migration grants it to the login running it).
- ``snorq_relay`` (NOLOGIN until an administrator gives it a password) may only
  INSERT into ``webhook_events`` (and NOTIFY, which needs no privilege).
- one LOGIN role per member, ``snorq_member_<hex>``, created by
  :func:`snorq_create_invite` and mapped to its user by ``member_logins``.
  Roles are never granted to each other: a member's login holds table
  privileges of its own and can SET ROLE to nobody.

Row-level security is ENABLEd and FORCEd on every tenant table.  Policies
read ``current_user`` through ``member_logins`` and ``organization_members``
(``snorq_organizations_of`` and friends), so a login sees and writes only its
organisations' rows; the owner role's own policy lets the definer functions
work.  Superusers bypass row-level security, which is how the built-in
(embedded) database, whose only login is its one person's superuser, keeps
working with no setup.

Role rules (the seed's): a MEMBER views and sends (messages, notes, labels on
conversations, read state); an ADMIN also manages members (never above their
own role), connections, platform apps and settings; only the OWNER changes
the plan, hands on ownership or deletes the organisation.  Membership changes,
ownership, the plan, invites and seats change only through the functions
below (no member holds INSERT/UPDATE/DELETE on ``organization_members``,
``invites`` or the plan column), which check the caller and keep exactly one
owner and the plan's seats.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
RELAY = "snorq_relay"

# Every table that holds one organisation's data, directly or through a parent.
TENANT_TABLES = (
    "users",
    "organizations",
    "organization_members",
    "platform_connections",
    "conversations",
    "messages",
    "attachments",
    "webhook_events",
    "labels",
    "conversation_labels",
    "notes",
    "reply_drafts",
    "platform_apps",
    "invites",
    "daily_analytics",
    "daily_platform_analytics",
    "analytics_pending",
    "history_retention",
    "inbox_count_changes",
)
OTHER_TABLES = ("member_logins", "alembic_version")
OLD_FUNCTIONS = (
    "snorq_sync_conversation_labels(text[])",
    "snorq_conversation_labels_changed()",
    "snorq_label_renamed()",
    "snorq_conversation_labels_array_guard()",
    "analytics_mark_changed()",
    "inbox_count_changed()",
)

_ROLES = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}') THEN
        CREATE ROLE {OWNER} NOLOGIN CREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{RELAY}') THEN
        CREATE ROLE {RELAY} NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, '{OWNER}', 'MEMBER') THEN
        EXECUTE format('GRANT {OWNER} TO %I', current_user);
    END IF;
END $$
"""

# The wall's helpers.  Each takes the login it asks about (policies pass
# current_user) and answers only for a login the session may act as, so one
# member cannot ask about another's.  SECURITY DEFINER: they read
# member_logins, which no member may read, and organization_members without
# going through its own policy (which calls them).
_HELPERS = """
CREATE FUNCTION snorq_user_ids_of(p_login name) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(l.user_id), '{}') FROM member_logins l
     WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
$$;

CREATE FUNCTION snorq_organizations_of(p_login name, p_roles text[] DEFAULT NULL)
RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
      FROM member_logins l JOIN organization_members m ON m.user_id = l.user_id
     WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
       AND (p_roles IS NULL OR m.role::text = ANY (p_roles))
$$;

CREATE FUNCTION snorq_teammates_of(p_login name) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(DISTINCT u), '{}') FROM (
        SELECT l.user_id AS u FROM member_logins l
         WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
        UNION
        SELECT other.user_id FROM member_logins l
          JOIN organization_members m ON m.user_id = l.user_id
          JOIN organization_members other ON other.organization_id = m.organization_id
         WHERE l.login = p_login AND pg_has_role(session_user, p_login, 'MEMBER')
    ) s
$$;

CREATE FUNCTION snorq_accounts_of(p_login name) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT coalesce(array_agg(DISTINCT c.platform_user_id), '{}')
      FROM platform_connections c
     WHERE c.organization_id = ANY (snorq_organizations_of(p_login))
$$;

-- Who a rule function acts for.  A member's login acts only as its own user;
-- a login that holds the owner role (a superuser: the built-in database, the
-- administrator's psql) is trusted with the user the app names.
CREATE FUNCTION snorq_acting_user(p_actor text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM member_logins WHERE login = session_user) THEN
        IF NOT EXISTS (SELECT 1 FROM member_logins
                        WHERE login = session_user AND user_id = p_actor) THEN
            RAISE EXCEPTION 'This database login belongs to another person.'
                USING ERRCODE = 'SQ001';
        END IF;
        RETURN p_actor;
    END IF;
    IF pg_has_role(session_user, 'snorq_owner', 'MEMBER') THEN
        RETURN p_actor;
    END IF;
    RAISE EXCEPTION 'This database login belongs to no member: use the login your invite gave.'
        USING ERRCODE = 'SQ001';
END $$;
"""

# Per-login privileges (no group role: each member's login holds its own).
# What a login may do beyond these is decided row by row by the policies.
_MEMBER_GRANTS = [
    "GRANT USAGE ON SCHEMA public TO %1$I",
    "GRANT SELECT ON alembic_version TO %1$I",
    "GRANT SELECT, UPDATE (name, avatar_url, google_id, updated_at) ON users TO %1$I",
    "GRANT SELECT, UPDATE (name, updated_at), DELETE ON organizations TO %1$I",
    "GRANT SELECT ON organization_members TO %1$I",
    "GRANT SELECT, INSERT, DELETE, UPDATE (platform_username, platform_display_name, "
    "access_token, refresh_token, token_expires_at, status, last_sync_at, error_message, "
    "business_account_id, updated_at) ON platform_connections TO %1$I",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON conversations, messages, attachments, labels, "
    "conversation_labels, notes, reply_drafts, platform_apps, daily_analytics, "
    "daily_platform_analytics, "
    "analytics_pending, history_retention, inbox_count_changes TO %1$I",
    "GRANT SELECT ON invites TO %1$I",
    "GRANT SELECT, UPDATE (processed_at, error), DELETE ON webhook_events TO %1$I",
    "GRANT USAGE ON SEQUENCE analytics_pending_id_seq, inbox_count_changes_id_seq TO %1$I",
    "GRANT EXECUTE ON FUNCTION snorq_user_ids_of(name), snorq_organizations_of(name, text[]), "
    "snorq_teammates_of(name), snorq_accounts_of(name), snorq_sync_conversation_labels(text[]), "
    'snorq_change_role(text, text, text, "MemberRole"), '
    "snorq_remove_member(text, text, text), snorq_transfer_ownership(text, text, text), "
    'snorq_change_plan(text, text, "PlanType"), '
    "snorq_create_organization(text, text, text, text), "
    'snorq_create_invite(text, text, text, text, "MemberRole", text, bytea, timestamptz, text), '
    "snorq_cancel_invite(text, text, text), "
    "snorq_redeem_invite(text, text, text, text, text, text, text), "
    "snorq_member_logins(text), snorq_search_candidates(text, text, int) TO %1$I",
]


def _grants_function() -> str:
    body = "\n".join(f"    EXECUTE format('{g}', p_login);" for g in _MEMBER_GRANTS)
    return f"""
CREATE FUNCTION snorq_grant_member_privileges(p_login name) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
{body}
END $$;
"""


_LOGINS = """
-- A new member login: a random name, the password as a SCRAM verifier the
-- app computed (so no clear password reaches the server's statement log).
CREATE FUNCTION snorq_new_login(p_verifier text, p_valid_until timestamptz) RETURNS name
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_login name := 'snorq_member_' || substr(md5(gen_random_uuid()::text), 1, 16);
BEGIN
    IF p_verifier IS NULL OR p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        RAISE EXCEPTION 'A member login needs a SCRAM-SHA-256 password verifier.'
            USING ERRCODE = 'SQ005';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN NOINHERIT PASSWORD %L VALID UNTIL %L',
                   v_login, p_verifier, p_valid_until);
    PERFORM snorq_grant_member_privileges(v_login);
    RETURN v_login;
END $$;

-- Removing a login takes effect at once: its mapping goes (every policy then
-- gives it nothing, in sessions already open too), its privileges go, it can
-- no longer log in, and the role is dropped when nothing else holds it.
CREATE FUNCTION snorq_drop_login(p_login name) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF p_login IS NULL OR p_login NOT LIKE 'snorq\\_member\\_%' THEN
        RETURN;  -- never a login this database did not make
    END IF;
    DELETE FROM member_logins WHERE login = p_login;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RETURN;
    END IF;
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', p_login);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', p_login);
    EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM %I', p_login);
    EXECUTE format('REVOKE ALL ON SCHEMA public FROM %I', p_login);
    BEGIN
        EXECUTE format('DROP ROLE %I', p_login);
    EXCEPTION WHEN dependent_objects_still_exist OR object_in_use THEN
        NULL;  -- privileges in another database: it stays disabled
    END;
END $$;

-- A login for a person who has none: the owner of an organisation made with the
-- administrator's login (`team create`).  Only a login holding the owner role
-- issues one; a member's login never makes logins except through an invite.
CREATE FUNCTION snorq_issue_login(p_user text, p_verifier text) RETURNS name
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_login name;
BEGIN
    IF NOT pg_has_role(session_user, 'snorq_owner', 'MEMBER') THEN
        RAISE EXCEPTION 'Only the database''s administrator can issue a login.'
            USING ERRCODE = 'SQ001';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_user) THEN
        RAISE EXCEPTION 'That user no longer exists.' USING ERRCODE = 'SQ004';
    END IF;
    v_login := snorq_new_login(p_verifier, 'infinity');
    INSERT INTO member_logins (login, user_id) VALUES (v_login, p_user);
    RETURN v_login;
END $$;

-- The logins of an organisation's members, for the members page (managers only).
CREATE FUNCTION snorq_member_logins(p_org text)
RETURNS TABLE (user_id text, login name)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT l.user_id, l.login FROM member_logins l
      JOIN organization_members m ON m.user_id = l.user_id AND m.organization_id = p_org
     WHERE pg_has_role(session_user, 'snorq_owner', 'MEMBER')
        OR p_org = ANY (snorq_organizations_of(session_user, ARRAY['OWNER', 'ADMIN']))
     ORDER BY l.login
$$;
"""

_RULES = """
CREATE FUNCTION snorq_rank(p_role "MemberRole") RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_role WHEN 'MEMBER' THEN 0 WHEN 'ADMIN' THEN 1 ELSE 2 END
$$;

CREATE FUNCTION snorq_seats(p_plan "PlanType") RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_plan WHEN 'FREE' THEN 1 WHEN 'PRO' THEN 3 ELSE 4 END
$$;

-- The organisation's row, locked (membership changes take turns behind it).
CREATE FUNCTION snorq_lock_organization(p_org text) RETURNS organizations
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

CREATE FUNCTION snorq_role_in(p_org text, p_user text) RETURNS "MemberRole"
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT role FROM organization_members WHERE organization_id = p_org AND user_id = p_user
$$;

CREATE FUNCTION snorq_required_role(p_org text, p_user text) RETURNS "MemberRole"
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v "MemberRole" := snorq_role_in(p_org, p_user);
BEGIN
    IF v IS NULL THEN
        RAISE EXCEPTION 'You are not a member of this organisation.' USING ERRCODE = 'SQ001';
    END IF;
    RETURN v;
END $$;

CREATE FUNCTION snorq_change_role(p_actor text, p_org text, p_user text, p_role "MemberRole")
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_actor_role "MemberRole";
    v_current "MemberRole";
BEGIN
    PERFORM snorq_lock_organization(p_org);
    v_actor_role := snorq_required_role(p_org, v_actor);
    v_current := snorq_role_in(p_org, p_user);
    IF v_current IS NULL THEN
        RAISE EXCEPTION 'That person is not a member of this organisation.'
            USING ERRCODE = 'SQ004';
    END IF;
    IF p_role = 'OWNER' OR v_current = 'OWNER' THEN
        RAISE EXCEPTION 'The owner''s role changes only by transferring ownership.'
            USING ERRCODE = 'SQ002';
    END IF;
    IF v_actor_role NOT IN ('OWNER', 'ADMIN') OR snorq_rank(p_role) > snorq_rank(v_actor_role)
       OR snorq_rank(v_current) > snorq_rank(v_actor_role) THEN
        RAISE EXCEPTION 'Your role does not allow this change.' USING ERRCODE = 'SQ001';
    END IF;
    UPDATE organization_members SET role = p_role
     WHERE organization_id = p_org AND user_id = p_user;
END $$;

CREATE FUNCTION snorq_remove_member(p_actor text, p_org text, p_user text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
    v_actor_role "MemberRole" := snorq_required_role(p_org, v_actor);
    v_target "MemberRole" := snorq_role_in(p_org, p_user);
    v_login name;
BEGIN
    IF v_target IS NULL THEN
        RAISE EXCEPTION 'That person is not a member of this organisation.'
            USING ERRCODE = 'SQ004';
    END IF;
    IF p_user = v_org.owner_id THEN
        RAISE EXCEPTION 'The owner cannot be removed: transfer ownership to another member first.'
            USING ERRCODE = 'SQ002';
    END IF;
    IF v_actor <> p_user AND (v_actor_role NOT IN ('OWNER', 'ADMIN')
                              OR snorq_rank(v_target) > snorq_rank(v_actor_role)) THEN
        RAISE EXCEPTION 'Your role does not allow removing this member.' USING ERRCODE = 'SQ001';
    END IF;
    DELETE FROM organization_members WHERE organization_id = p_org AND user_id = p_user;
    -- A person in no other organisation of this database keeps no login here.
    IF NOT EXISTS (SELECT 1 FROM organization_members WHERE user_id = p_user) THEN
        FOR v_login IN SELECT login FROM member_logins WHERE user_id = p_user LOOP
            PERFORM snorq_drop_login(v_login);
        END LOOP;
    END IF;
END $$;

CREATE FUNCTION snorq_transfer_ownership(p_actor text, p_org text, p_new_owner text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
BEGIN
    IF v_actor IS DISTINCT FROM v_org.owner_id
       OR snorq_role_in(p_org, v_actor) IS DISTINCT FROM 'OWNER' THEN
        RAISE EXCEPTION 'Only the owner can transfer ownership.' USING ERRCODE = 'SQ001';
    END IF;
    IF p_new_owner = v_org.owner_id THEN
        RETURN;
    END IF;
    IF snorq_role_in(p_org, p_new_owner) IS NULL THEN
        RAISE EXCEPTION 'Ownership can only go to a member of this organisation.'
            USING ERRCODE = 'SQ004';
    END IF;
    UPDATE organization_members SET role = 'ADMIN'
     WHERE organization_id = p_org AND user_id = v_actor;
    UPDATE organization_members SET role = 'OWNER'
     WHERE organization_id = p_org AND user_id = p_new_owner;
    UPDATE organizations SET owner_id = p_new_owner, updated_at = now() WHERE id = p_org;
END $$;

CREATE FUNCTION snorq_change_plan(p_actor text, p_org text, p_plan "PlanType") RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
    v_members int;
BEGIN
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

CREATE FUNCTION snorq_create_organization(p_actor text, p_id text, p_name text, p_slug text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = v_actor) THEN
        RAISE EXCEPTION 'That user no longer exists.' USING ERRCODE = 'SQ004';
    END IF;
    BEGIN
        INSERT INTO organizations (id, name, slug, plan, owner_id)
        VALUES (p_id, btrim(p_name), p_slug, 'FREE', v_actor);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'The address ''%'' is already used by another organisation.', p_slug
            USING ERRCODE = 'SQ007';
    END;
    INSERT INTO organization_members (id, organization_id, user_id, role)
    VALUES (md5(p_id || '-owner'), p_id, v_actor, 'OWNER');
    RETURN p_id;
END $$;

CREATE FUNCTION snorq_pending_invites(p_org text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT count(*) FROM invites
     WHERE organization_id = p_org AND used_at IS NULL AND expires_at > now()
$$;

CREATE FUNCTION snorq_create_invite(
    p_actor text, p_id text, p_org text, p_email text, p_role "MemberRole",
    p_code_hash text, p_sealed_keys bytea, p_expires_at timestamptz, p_login_verifier text)
RETURNS name
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_org organizations := snorq_lock_organization(p_org);
    v_actor_role "MemberRole" := snorq_required_role(p_org, v_actor);
    v_email text := lower(btrim(p_email));
    v_old name;
    v_login name;
BEGIN
    IF v_actor_role NOT IN ('OWNER', 'ADMIN') THEN
        RAISE EXCEPTION 'Only an owner or an admin can invite people.' USING ERRCODE = 'SQ001';
    END IF;
    IF p_role = 'OWNER' OR snorq_rank(p_role) > snorq_rank(v_actor_role) THEN
        RAISE EXCEPTION 'Your role (%) does not allow inviting someone as %.',
                        v_actor_role, p_role USING ERRCODE = 'SQ001';
    END IF;
    IF position('@' in v_email) = 0 THEN
        RAISE EXCEPTION '''%'' is not an email address.', p_email USING ERRCODE = 'SQ005';
    END IF;
    IF EXISTS (SELECT 1 FROM organization_members m JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = p_org AND u.email = v_email) THEN
        RAISE EXCEPTION '% is already a member of this organisation.', v_email
            USING ERRCODE = 'SQ006';
    END IF;
    FOR v_old IN DELETE FROM invites
                  WHERE organization_id = p_org AND used_at IS NULL AND expires_at > now()
                    AND email = v_email RETURNING login LOOP
        PERFORM snorq_drop_login(v_old);
    END LOOP;
    IF (SELECT count(*) FROM organization_members WHERE organization_id = p_org)
       + snorq_pending_invites(p_org) >= snorq_seats(v_org.plan) THEN
        RAISE EXCEPTION 'The % plan has % seat(s), and all are taken by members or pending '
                        'invites. Upgrade the plan, or remove a member or an invite first.',
                        initcap(v_org.plan::text), snorq_seats(v_org.plan)
            USING ERRCODE = 'SQ003';
    END IF;
    IF p_login_verifier IS NOT NULL THEN
        v_login := snorq_new_login(p_login_verifier, p_expires_at);
    END IF;
    INSERT INTO invites (id, organization_id, email, role, code_hash, sealed_keys, created_by,
                         expires_at, login)
    VALUES (p_id, p_org, v_email, p_role, p_code_hash, p_sealed_keys, v_actor, p_expires_at,
            v_login);
    RETURN v_login;
END $$;

CREATE FUNCTION snorq_cancel_invite(p_actor text, p_org text, p_invite text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_actor text := snorq_acting_user(p_actor);
    v_login name;
BEGIN
    PERFORM snorq_lock_organization(p_org);
    IF snorq_required_role(p_org, v_actor) NOT IN ('OWNER', 'ADMIN') THEN
        RAISE EXCEPTION 'Only an owner or an admin can cancel invites.' USING ERRCODE = 'SQ001';
    END IF;
    DELETE FROM invites WHERE id = p_invite AND organization_id = p_org RETURNING login
      INTO v_login;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'That invite no longer exists.' USING ERRCODE = 'SQ004';
    END IF;
    IF v_login IS NOT NULL AND NOT EXISTS (SELECT 1 FROM member_logins WHERE login = v_login)
    THEN
        PERFORM snorq_drop_login(v_login);
    END IF;
END $$;

-- Using an invite: by the invite's own login (the joining member's app), or by
-- a login holding the owner role for a named user.  The user row is found or
-- made from the Google profile the app signed in with; the login is mapped to
-- it and its password replaced by the one the joining app chose, so the code
-- that opened it opens nothing any more.
CREATE FUNCTION snorq_redeem_invite(
    p_code_hash text, p_user text, p_email text, p_google_id text, p_name text,
    p_avatar_url text, p_new_verifier text)
RETURNS TABLE (organization_id text, role "MemberRole", sealed_keys bytea, user_id text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
    v_invite invites;
    v_org_id text;
    v_org organizations;
    v_user text;
    v_email text;
    v_admin boolean := pg_has_role(session_user, 'snorq_owner', 'MEMBER');
BEGIN
    SELECT i.organization_id INTO v_org_id FROM invites i WHERE i.code_hash = p_code_hash;
    IF v_org_id IS NOT NULL THEN
        v_org := snorq_lock_organization(v_org_id);
    END IF;
    SELECT * INTO v_invite FROM invites i WHERE i.code_hash = p_code_hash FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'This invite code is not known to the team database; check it was '
                        'copied whole, or ask for a new one.' USING ERRCODE = 'SQ005';
    END IF;
    IF NOT v_admin AND v_invite.login IS DISTINCT FROM session_user THEN
        RAISE EXCEPTION 'This invite belongs to another database login.' USING ERRCODE = 'SQ001';
    END IF;
    IF v_invite.used_at IS NOT NULL THEN
        RAISE EXCEPTION 'This invite code has already been used; ask for a new one.'
            USING ERRCODE = 'SQ005';
    END IF;
    IF v_invite.expires_at <= now() THEN
        RAISE EXCEPTION 'This invite code expired on %; ask for a new one.',
                        to_char(v_invite.expires_at, 'DD FMMonth YYYY') USING ERRCODE = 'SQ005';
    END IF;
    IF p_user IS NOT NULL AND v_admin THEN
        v_user := p_user;
    ELSE
        SELECT u.id INTO v_user FROM users u WHERE u.google_id = p_google_id;
        IF v_user IS NULL THEN
            SELECT u.id INTO v_user FROM users u WHERE u.email = lower(btrim(p_email));
        END IF;
        IF v_user IS NULL THEN
            v_user := md5(p_code_hash || '-user');
            INSERT INTO users (id, email, name, avatar_url, google_id)
            VALUES (v_user, lower(btrim(p_email)), p_name, p_avatar_url, p_google_id);
        END IF;
    END IF;
    SELECT u.email INTO v_email FROM users u WHERE u.id = v_user;
    IF v_email IS NULL THEN
        RAISE EXCEPTION 'That user no longer exists.' USING ERRCODE = 'SQ004';
    END IF;
    IF lower(v_email) <> v_invite.email THEN
        RAISE EXCEPTION 'This invite is for %, but you are signed in as %; sign in as %, or ask '
                        'for an invite for %.', v_invite.email, v_email, v_invite.email, v_email
            USING ERRCODE = 'SQ005';
    END IF;
    IF snorq_role_in(v_invite.organization_id, v_user) IS NOT NULL THEN
        RAISE EXCEPTION 'That person is already a member of this organisation.'
            USING ERRCODE = 'SQ006';
    END IF;
    IF (SELECT count(*) FROM organization_members m
         WHERE m.organization_id = v_invite.organization_id) >= snorq_seats(v_org.plan) THEN
        RAISE EXCEPTION 'The % plan has % seat(s), and all are taken. Upgrade the plan or '
                        'remove a member first.', initcap(v_org.plan::text),
                        snorq_seats(v_org.plan) USING ERRCODE = 'SQ003';
    END IF;
    INSERT INTO organization_members (id, organization_id, user_id, role)
    VALUES (md5(v_invite.id || '-member'), v_invite.organization_id, v_user, v_invite.role);
    UPDATE invites SET used_at = now(), used_by = v_user, sealed_keys = NULL
     WHERE id = v_invite.id;
    IF v_invite.login IS NOT NULL THEN
        INSERT INTO member_logins (login, user_id) VALUES (v_invite.login, v_user)
        ON CONFLICT (login) DO NOTHING;
        IF p_new_verifier IS NOT NULL THEN
            IF p_new_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
                RAISE EXCEPTION 'A member login needs a SCRAM-SHA-256 password verifier.'
                    USING ERRCODE = 'SQ005';
            END IF;
            EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL ''infinity''',
                           v_invite.login, p_new_verifier);
        END IF;
    END IF;
    RETURN QUERY SELECT v_invite.organization_id, v_invite.role, v_invite.sealed_keys, v_user;
END $$;
"""

# A search's candidates by the two GIN indexes, read as the owner role: under a
# member's policies PostgreSQL may not use an index through a non-leakproof
# operator (@@), and a rare word then costs a pass over every message (31 s for
# 1,000,000).  The caller must be a member of the organisation searched.
_SEARCH = """
CREATE FUNCTION snorq_search_candidates(p_org text, p_terms text, p_cap int)
RETURNS TABLE (conversation_id text, by_contact boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT (pg_has_role(session_user, 'snorq_owner', 'MEMBER')
            OR p_org = ANY (snorq_organizations_of(session_user))) THEN
        RAISE EXCEPTION 'You are not a member of this organisation.' USING ERRCODE = 'SQ001';
    END IF;
    RETURN QUERY
        SELECT m.conversation_id, false FROM messages m
         WHERE m.organization_id = p_org
           AND to_tsvector('simple'::regconfig, COALESCE(m.content, ''))
               @@ to_tsquery('simple'::regconfig, p_terms)
         LIMIT p_cap + 1;
    RETURN QUERY
        SELECT c.id, true FROM conversations c
         WHERE c.organization_id = p_org
           AND to_tsvector('simple'::regconfig, COALESCE(c.contact_name, ''))
               @@ to_tsquery('simple'::regconfig, p_terms);
END $$;
"""

# Which webhook bodies name which platform account: set as the relay inserts,
# so a member's app sees only the events for its organisations' accounts.
_EVENT_ACCOUNTS = """
CREATE FUNCTION snorq_webhook_accounts() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    v_body jsonb;
BEGIN
    BEGIN
        v_body := convert_from(NEW.body, 'UTF8')::jsonb;
    EXCEPTION WHEN OTHERS THEN
        NEW.accounts := '{}';
        RETURN NEW;
    END;
    NEW.accounts := ARRAY(
        SELECT DISTINCT v #>> '{}' FROM (
            SELECT jsonb_path_query(v_body, '$.entry[*].id') AS v
            UNION ALL
            SELECT jsonb_path_query(v_body,
                '$.entry[*].changes[*].value.metadata.phone_number_id')
            UNION ALL
            SELECT jsonb_path_query(v_body, '$.user_openid')
        ) found WHERE jsonb_typeof(v) IN ('string', 'number'));
    RETURN NEW;
EXCEPTION WHEN OTHERS THEN
    NEW.accounts := '{}';
    RETURN NEW;
END $$;
"""


def _policy(table: str, name: str, command: str, using: str | None, check: str | None) -> str:
    parts = [f"CREATE POLICY {name} ON {table} FOR {command} TO PUBLIC"]
    if using is not None:
        parts.append(f"USING ({using})")
    if check is not None:
        parts.append(f"WITH CHECK ({check})")
    return " ".join(parts)


MINE = "organization_id = ANY ((SELECT snorq_organizations_of(current_user))::text[])"
MANAGED = (
    "organization_id = ANY ((SELECT snorq_organizations_of(current_user, "
    "ARRAY['OWNER', 'ADMIN']))::text[])"
)
OWNED = (
    "organization_id = ANY ((SELECT snorq_organizations_of(current_user, ARRAY['OWNER']))::text[])"
)
MY_CONVERSATION = "conversation_id IN (SELECT id FROM conversations)"
MY_MESSAGE = "message_id IN (SELECT id FROM messages)"
ME = "ANY ((SELECT snorq_user_ids_of(current_user))::text[])"


def _policies() -> list[str]:
    rows: list[tuple[str, str, str, str | None, str | None]] = [
        (
            "users",
            "users_teammates",
            "SELECT",
            "id = ANY ((SELECT snorq_teammates_of(current_user))::text[])",
            None,
        ),
        ("users", "users_self", "UPDATE", f"id = {ME}", f"id = {ME}"),
        (
            "organizations",
            "organizations_mine",
            "SELECT",
            MINE.replace("organization_id", "id"),
            None,
        ),
        (
            "organizations",
            "organizations_managed",
            "UPDATE",
            MANAGED.replace("organization_id", "id"),
            MANAGED.replace("organization_id", "id"),
        ),
        (
            "organizations",
            "organizations_owned",
            "DELETE",
            OWNED.replace("organization_id", "id"),
            None,
        ),
        ("organization_members", "members_mine", "SELECT", MINE, None),
        ("platform_connections", "connections_read", "SELECT", MINE, None),
        # Every member's app syncs: status, tokens and the sync time change.
        ("platform_connections", "connections_sync", "UPDATE", MINE, MINE),
        ("platform_connections", "connections_add", "INSERT", None, MANAGED),
        ("platform_connections", "connections_remove", "DELETE", MANAGED, None),
        ("platform_apps", "apps_read", "SELECT", MINE, None),
        ("platform_apps", "apps_add", "INSERT", None, MANAGED),
        ("platform_apps", "apps_change", "UPDATE", MANAGED, MANAGED),
        ("platform_apps", "apps_remove", "DELETE", MANAGED, None),
        ("conversations", "conversations_read", "SELECT", MINE, None),
        ("conversations", "conversations_add", "INSERT", None, MINE),
        ("conversations", "conversations_change", "UPDATE", MINE, MINE),
        ("conversations", "conversations_remove", "DELETE", MANAGED, None),
        ("messages", "messages_read", "SELECT", MINE, None),
        ("messages", "messages_add", "INSERT", None, MINE),
        ("messages", "messages_change", "UPDATE", MINE, MINE),
        # Managers delete; any member's app may purge what the FREE plan no
        # longer keeps (30 days), which is the retention rule itself.
        (
            "messages",
            "messages_remove",
            "DELETE",
            f"{MANAGED} OR ({MINE} AND COALESCE(platform_timestamp, created_at) "
            "< now() - interval '30 days' AND organization_id IN "
            "(SELECT id FROM organizations WHERE plan = 'FREE'))",
            None,
        ),
        ("attachments", "attachments_read", "SELECT", MY_MESSAGE, None),
        ("attachments", "attachments_add", "INSERT", None, MY_MESSAGE),
        ("attachments", "attachments_change", "UPDATE", MY_MESSAGE, MY_MESSAGE),
        (
            "attachments",
            "attachments_remove",
            "DELETE",
            f"message_id IN (SELECT id FROM messages WHERE {MANAGED})",
            None,
        ),
        ("labels", "labels_read", "SELECT", MINE, None),
        ("labels", "labels_add", "INSERT", None, MINE),
        ("labels", "labels_change", "UPDATE", MANAGED, MANAGED),
        ("labels", "labels_remove", "DELETE", MANAGED, None),
        ("conversation_labels", "labelled_read", "SELECT", MY_CONVERSATION, None),
        ("conversation_labels", "labelled_add", "INSERT", None, MY_CONVERSATION),
        ("conversation_labels", "labelled_change", "UPDATE", MY_CONVERSATION, MY_CONVERSATION),
        ("conversation_labels", "labelled_remove", "DELETE", MY_CONVERSATION, None),
        ("notes", "notes_read", "SELECT", MY_CONVERSATION, None),
        ("notes", "notes_add", "INSERT", None, f"{MY_CONVERSATION} AND author_id = {ME}"),
        (
            "notes",
            "notes_change",
            "UPDATE",
            f"author_id = {ME}",
            f"{MY_CONVERSATION} AND author_id = {ME}",
        ),
        (
            "notes",
            "notes_remove",
            "DELETE",
            f"author_id = {ME} OR conversation_id IN (SELECT id "
            f"FROM conversations WHERE {MANAGED})",
            None,
        ),
        # A draft is one person's: nobody else reads or writes it, not even an admin.
        ("reply_drafts", "drafts_read", "SELECT", f"user_id = {ME}", None),
        ("reply_drafts", "drafts_add", "INSERT", None, f"{MY_CONVERSATION} AND user_id = {ME}"),
        (
            "reply_drafts",
            "drafts_change",
            "UPDATE",
            f"user_id = {ME}",
            f"{MY_CONVERSATION} AND user_id = {ME}",
        ),
        ("reply_drafts", "drafts_remove", "DELETE", f"user_id = {ME}", None),
        ("invites", "invites_managed", "SELECT", MANAGED, None),
        ("webhook_events", "events_relay", "INSERT", None, "current_user = 'snorq_relay'"),
        (
            "webhook_events",
            "events_read",
            "SELECT",
            "accounts && (SELECT snorq_accounts_of(current_user))",
            None,
        ),
        (
            "webhook_events",
            "events_mark",
            "UPDATE",
            "accounts && (SELECT snorq_accounts_of(current_user))",
            "accounts && (SELECT snorq_accounts_of(current_user))",
        ),
        (
            "webhook_events",
            "events_purge",
            "DELETE",
            "processed_at IS NOT NULL AND accounts && (SELECT snorq_accounts_of(current_user))",
            None,
        ),
        ("history_retention", "retention_read", "SELECT", MINE, None),
        ("history_retention", "retention_add", "INSERT", None, MINE),
        ("history_retention", "retention_change", "UPDATE", MINE, MINE),
    ]
    # The sidebar's counts (migration 0012) are written by the conversations'
    # trigger as whoever changed them, and folded by whoever reads them.
    tables = ("daily_analytics", "daily_platform_analytics", "analytics_pending")
    for table in (*tables, "inbox_count_changes"):
        rows += [
            (table, f"{table}_read", "SELECT", MINE, None),
            (table, f"{table}_add", "INSERT", None, MINE),
            (table, f"{table}_change", "UPDATE", MINE, MINE),
            (table, f"{table}_remove", "DELETE", MINE, None),
        ]
    statements = [_policy(*row) for row in rows]
    # The definer functions run as the owner role, which FORCE puts under the
    # policies too: it alone sees every row.
    statements += [
        f"CREATE POLICY owner_all ON {table} TO {OWNER} USING (true) WITH CHECK (true)"
        for table in TENANT_TABLES
    ]
    return statements


NEW_FUNCTIONS = (
    "snorq_user_ids_of(name)",
    "snorq_organizations_of(name, text[])",
    "snorq_teammates_of(name)",
    "snorq_accounts_of(name)",
    "snorq_acting_user(text)",
    "snorq_new_login(text, timestamptz)",
    "snorq_drop_login(name)",
    "snorq_member_logins(text)",
    "snorq_issue_login(text, text)",
    "snorq_search_candidates(text, text, int)",
    'snorq_rank("MemberRole")',
    'snorq_seats("PlanType")',
    "snorq_lock_organization(text)",
    "snorq_role_in(text, text)",
    "snorq_required_role(text, text)",
    'snorq_change_role(text, text, text, "MemberRole")',
    "snorq_remove_member(text, text, text)",
    "snorq_transfer_ownership(text, text, text)",
    'snorq_change_plan(text, text, "PlanType")',
    "snorq_create_organization(text, text, text, text)",
    "snorq_pending_invites(text)",
    'snorq_create_invite(text, text, text, text, "MemberRole", text, bytea, timestamptz, text)',
    "snorq_cancel_invite(text, text, text)",
    "snorq_redeem_invite(text, text, text, text, text, text, text)",
    "snorq_webhook_accounts()",
    "snorq_grant_member_privileges(name)",
)


def upgrade() -> None:
    op.execute(_ROLES)
    # Before the tables change hands: a new owner needs CREATE on their schema,
    # which only a superuser may skip (a managed Postgres's administrator is none).
    op.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {OWNER} WITH GRANT OPTION")
    # The schema's objects belong to the owner role from here on; later
    # migrations run as it (env.py), so what they create belongs to it too.
    for table in TENANT_TABLES + ("alembic_version",):
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
    for function in OLD_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} OWNER TO {OWNER}")
    for enum in (
        "Platform",
        "ConnectionStatus",
        "ConversationStatus",
        "MessageDirection",
        "ContentType",
        "MessageStatus",
        "PlanType",
        "MemberRole",
    ):
        op.execute(f'ALTER TYPE "{enum}" OWNER TO {OWNER}')
    # PUBLIC has nothing: no use of the schema (then no table, no function).
    op.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    op.execute(f"SET ROLE {OWNER}")

    op.create_table(
        "member_logins",
        sa.Column("login", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="member_logins_user_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("login", name="member_logins_pkey"),
    )
    op.create_index("member_logins_user_id_idx", "member_logins", ["user_id"])
    op.add_column("invites", sa.Column("login", sa.Text(), nullable=True))
    op.add_column(
        "webhook_events",
        sa.Column(
            "accounts",
            sa.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
    )
    op.execute(_EVENT_ACCOUNTS)
    op.execute(
        "CREATE TRIGGER webhook_events_accounts BEFORE INSERT OR UPDATE OF body "
        "ON webhook_events FOR EACH ROW EXECUTE FUNCTION snorq_webhook_accounts()"
    )
    # Events stored before this revision are routed the same way.
    op.execute("UPDATE webhook_events SET body = body")

    # One platform account belongs to one organisation in the whole database, so
    # a webhook for it routes to exactly one shop.
    op.execute(
        """
        DO $$ DECLARE d record; BEGIN
            SELECT platform, platform_user_id, count(*) AS n INTO d FROM platform_connections
             GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'The % account % is connected by % organisations; a platform '
                                'account may belong to one organisation only. Disconnect it '
                                'from all but one, then run the upgrade again.',
                                d.platform, d.platform_user_id, d.n;
            END IF;
        END $$
        """
    )
    op.create_index(
        "platform_connections_platform_account_key",
        "platform_connections",
        ["platform", "platform_user_id"],
        unique=True,
    )
    op.execute(_HELPERS)
    op.execute(_LOGINS)
    op.execute(_RULES)
    op.execute(_SEARCH)
    op.execute(_grants_function())

    op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC")
    op.execute("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC")
    op.execute("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC")
    op.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC")

    op.execute(f"GRANT USAGE ON SCHEMA public TO {RELAY}")
    op.execute(f"GRANT INSERT ON webhook_events TO {RELAY}")
    op.execute(f"GRANT SELECT ON alembic_version TO {RELAY}")

    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for statement in _policies():
        op.execute(statement)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(
            f"""
            DO $$ DECLARE p record; BEGIN
                FOR p IN SELECT policyname FROM pg_policies WHERE tablename = '{table}' LOOP
                    EXECUTE format('DROP POLICY %I ON {table}', p.policyname);
                END LOOP;
            END $$
            """
        )
    op.execute(
        """
        DO $$ DECLARE l record; BEGIN
            FOR l IN SELECT login FROM member_logins UNION SELECT login FROM invites
                      WHERE login IS NOT NULL LOOP
                PERFORM snorq_drop_login(l.login);
            END LOOP;
        END $$
        """
    )
    op.execute("DROP TRIGGER webhook_events_accounts ON webhook_events")
    for function in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.drop_column("webhook_events", "accounts")
    op.drop_index("platform_connections_platform_account_key", table_name="platform_connections")
    op.drop_column("invites", "login")
    op.drop_index("member_logins_user_id_idx", table_name="member_logins")
    op.drop_table("member_logins")
    op.execute("RESET ROLE")
    op.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
    op.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} GRANT EXECUTE ON FUNCTIONS TO PUBLIC")
    for function in OLD_FUNCTIONS:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO PUBLIC")
    for table in TENANT_TABLES + ("alembic_version",):
        op.execute(f"ALTER TABLE {table} OWNER TO current_user")
    for function in OLD_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} OWNER TO current_user")
