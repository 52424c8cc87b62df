"""A member's search reads the search indexes (#13): the matching step in
SECURITY DEFINER functions that check the caller's membership themselves.

Under a member's row-level security PostgreSQL may not evaluate ``@@`` (not
leakproof) before the policy's test, so it cannot use the GIN indexes of
messages and contact names: a member's search read every message of the
organisation (about 50x the owner's time at 200,000 messages, growing with
the shop).  These functions run as the owner role, whose policy passes every
row, so the planner uses the indexes; they answer only for an organisation
the calling login belongs to (its session user's membership: inside a definer
function current_user is the owner role), and only about that organisation.

The grants function of 0013 is kept under another name and wrapped, so every
member login made from now on can run these; the logins made before are
granted here.

Revision ID: 0015_member_search
Revises: 0014_traffic_reply_and_react
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_member_search"
down_revision: str | None = "0014_traffic_reply_and_react"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONTENT = "to_tsvector('simple'::regconfig, COALESCE(m.content, ''))"
_CONTACT = "to_tsvector('simple'::regconfig, COALESCE(c.contact_name, ''))"

_FUNCTIONS = f"""
CREATE FUNCTION snorq_may_search(p_org text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT (p_org = ANY (snorq_organizations_of(session_user))
            OR pg_has_role(session_user, 'snorq_owner', 'MEMBER')) THEN
        RAISE EXCEPTION 'You are not a member of this organisation.' USING ERRCODE = 'SQ001';
    END IF;
END $$;

-- The conversations whose messages hold the rarest word (read from the index)
-- and, when p_terms is given, every word.
CREATE FUNCTION snorq_found_messages(p_org text, p_rarest text, p_terms text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100
SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    PERFORM snorq_may_search(p_org);
    RETURN QUERY
        SELECT m.conversation_id FROM messages m
         WHERE m.organization_id = p_org
           AND {_CONTENT} @@ to_tsquery('simple'::regconfig, p_rarest)
           AND (p_terms IS NULL
                OR ({_CONTENT} @@ to_tsquery('simple'::regconfig, p_terms)) IS TRUE);
END $$;

-- The conversations whose contact's name holds every word.
CREATE FUNCTION snorq_found_contacts(p_org text, p_terms text)
RETURNS SETOF text
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100
SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    PERFORM snorq_may_search(p_org);
    RETURN QUERY
        SELECT c.id FROM conversations c
         WHERE c.organization_id = p_org
           AND {_CONTACT} @@ to_tsquery('simple'::regconfig, p_terms);
END $$;
"""

_SEARCH_FUNCTIONS = (
    "snorq_found_messages(text, text, text)",
    "snorq_found_contacts(text, text)",
)
_EXECUTE = "GRANT EXECUTE ON FUNCTION " + ", ".join(_SEARCH_FUNCTIONS) + " TO %1$I"

_GRANTS = f"""
ALTER FUNCTION snorq_grant_member_privileges(name)
    RENAME TO snorq_grant_member_privileges_0013;
CREATE FUNCTION snorq_grant_member_privileges(p_login name) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM snorq_grant_member_privileges_0013(p_login);
    EXECUTE format('{_EXECUTE}', p_login);
END $$;
DO $$ DECLARE l record; BEGIN
    FOR l IN SELECT login FROM member_logins UNION SELECT login FROM invites
              WHERE login IS NOT NULL LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = l.login) THEN
            EXECUTE format('{_EXECUTE}', l.login);
        END IF;
    END LOOP;
END $$;
"""


def _become_owner() -> bool:
    """SET ROLE to the owner unless already it; whether it did."""
    if op.get_bind().execute(sa.text("SELECT current_user")).scalar() == "snorq_owner":
        return False
    op.execute("SET ROLE snorq_owner")
    return True


def _back(was_set: bool) -> None:
    if was_set:
        op.execute("RESET ROLE")


def upgrade() -> None:
    # As the owner role, which must own these (env.py sets it only for a run
    # that began after 0013; a run from an empty database did not).
    was = _become_owner()
    op.execute(_FUNCTIONS)
    op.execute(_GRANTS)
    for function in (*_SEARCH_FUNCTIONS, "snorq_may_search(text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION snorq_grant_member_privileges(name) FROM PUBLIC")
    _back(was)


def downgrade() -> None:
    was = _become_owner()
    op.execute("DROP FUNCTION snorq_grant_member_privileges(name)")
    op.execute(
        "ALTER FUNCTION snorq_grant_member_privileges_0013(name) "
        "RENAME TO snorq_grant_member_privileges"
    )
    for function in (*_SEARCH_FUNCTIONS, "snorq_may_search(text)"):
        op.execute(f"DROP FUNCTION {function}")
    _back(was)
