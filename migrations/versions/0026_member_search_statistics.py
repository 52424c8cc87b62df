"""A member's search chooses its plan from the same statistics as the owner's (#13).

The search picks walking the inbox (a common word) or reading the search index
(a rare one) from PostgreSQL's statistics of the two search indexes
(store/search.py).  ``pg_stats`` shows an index's statistics only to a login
that may read the index's table as its owner, so a member's login saw none,
took every word for a rare one and read every message holding a common word
through the index: 5 to 8 times the owner's time for "ok" or "dress"
(bench/rls_cost.py).

``snorq_search_statistics(words)`` answers, for a login that belongs to an
organisation, what the planner needs about the words being searched only: the
share of each listed index word that starts with one of them, and three
numbers about the whole list (its length, its lowest share, their sum) for the
words it does not list.  Not the whole list: it is sampled from every
organisation's messages, and a member of one shop is not to read the common
words of another's (the share of a word someone types is what the owner's own
plan already used).

Revision ID: 0026_member_search_statistics
Revises: 0025_bound_seals_only
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0026_member_search_statistics"
down_revision: str | None = "0025_bound_seals_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
FUNCTION = "snorq_search_statistics(text[])"
GRANTS = [f"GRANT EXECUTE ON FUNCTION {FUNCTION} TO %1$I"]

_FUNCTION = """
CREATE FUNCTION snorq_search_statistics(p_words text[])
RETURNS TABLE (index_name text, words text[], shares real[], listed int, lowest real, total real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH listed AS (
        SELECT s.tablename::text AS index_name,
               s.most_common_elems::text::text[] AS elems,
               s.most_common_elem_freqs AS freqs
          FROM pg_stats s
         WHERE s.schemaname = 'public'
           AND s.tablename IN ('messages_content_search_idx', 'conversations_contact_search_idx')
           AND (pg_has_role(session_user, 'snorq_owner', 'MEMBER')
                OR cardinality(snorq_organizations_of(session_user)) > 0)
    ), asked AS (
        SELECT l.index_name, u.elem, u.share
          FROM listed l, unnest(l.elems, l.freqs[1:cardinality(l.elems)]) AS u(elem, share)
         WHERE EXISTS (SELECT 1 FROM unnest(p_words) w WHERE starts_with(u.elem, w))
    )
    SELECT l.index_name,
           coalesce((SELECT array_agg(a.elem ORDER BY a.elem) FROM asked a
                      WHERE a.index_name = l.index_name), '{}'),
           coalesce((SELECT array_agg(a.share ORDER BY a.elem) FROM asked a
                      WHERE a.index_name = l.index_name), '{}'),
           cardinality(l.elems),
           coalesce(l.freqs[cardinality(l.elems) + 1],
                    (SELECT min(f) FROM unnest(l.freqs[1:cardinality(l.elems)]) f)),
           (SELECT sum(f) FROM unnest(l.freqs[1:cardinality(l.elems)]) f)::real
      FROM listed l
$$
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
    keys = _migration("0018")
    op.execute(_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    keys.add_member_grants(GRANTS)
    op.execute(keys._EXISTING_LOGINS)
    op.execute("SELECT snorq_grant_member_privileges('snorq_api')")
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    keys = _migration("0018")
    keys.drop_member_grants(GRANTS)
    op.execute(f"DROP FUNCTION {FUNCTION}")
    op.execute("RESET ROLE")
