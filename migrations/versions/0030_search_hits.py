"""A search page's matching message comes back with the page itself (#15.2).

``snorq_search_hits``: as 0015's two functions in one call (the conversations
whose messages hold the rarest word, read from the search index as the owner
role, each checked against every word; and, when ``p_names`` is given, those
whose contact's name holds every word; only for an organisation the caller
belongs to), but one row per conversation found by its messages, with its
newest matching message's text, which the result's row shows (NULL for one
found by its name).  Before, the app sent the page's
ids back in a second statement that read and parsed every message of those
conversations (at 5M messages: 138 ms of a 141 ms search for "parcel", the
search itself 3 ms).

Member logins may run it: 0029's ``grant_to_members`` extends the member-grant
function as it stands and grants it to every existing member login and the
API's.  0015's functions stay (older apps of the team use them).

Revision ID: 0030_search_hits
Revises: 0029_conversation_day_figures
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0030_search_hits"
down_revision: str | None = "0029_conversation_day_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
_CONTENT = "to_tsvector('simple'::regconfig, COALESCE(m.content, ''))"
_CONTACT = "to_tsvector('simple'::regconfig, COALESCE(c.contact_name, ''))"
FUNCTION = "snorq_search_hits(text, text, text, text)"
GRANTS = [f"GRANT EXECUTE ON FUNCTION {FUNCTION} TO %1$I"]

_CREATE = f"""
CREATE FUNCTION snorq_search_hits(p_org text, p_rarest text, p_terms text, p_names text)
RETURNS TABLE (conversation_id text, content text)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100
SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    PERFORM snorq_may_search(p_org);
    RETURN QUERY
        SELECT DISTINCT ON (m.conversation_id) m.conversation_id, m.content
          FROM messages m
         WHERE m.organization_id = p_org
           AND {_CONTENT} @@ to_tsquery('simple'::regconfig, p_rarest)
           AND (p_terms IS NULL
                OR ({_CONTENT} @@ to_tsquery('simple'::regconfig, p_terms)) IS TRUE)
         ORDER BY m.conversation_id, COALESCE(m.platform_timestamp, m.created_at) DESC, m.id DESC;
    IF p_names IS NOT NULL THEN
        RETURN QUERY
            SELECT c.id, NULL::text FROM conversations c
             WHERE c.organization_id = p_org
               AND {_CONTACT} @@ to_tsquery('simple'::regconfig, p_names);
    END IF;
END $$;
REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC;
"""


def _migration(prefix: str) -> ModuleType:
    path = next(Path(__file__).parent.glob(f"{prefix}_*.py"))
    spec = importlib.util.spec_from_file_location(f"snorq_migration_{prefix}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.execute(_CREATE)
    _migration("0029").grant_to_members(GRANTS)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    _migration("0018").drop_member_grants(GRANTS)
    op.execute(f"DROP FUNCTION {FUNCTION}")
    op.execute("RESET ROLE")
