"""A member's login can no longer write a token sealed before binding (#13.6).

Since binding, a sealed value opens only in the row and column it was sealed
for (``b1:`` values, secrets/cipher.py).  Values sealed before it (``k<n>:...``,
no associated data) still open anywhere, so a member's login, which may
update a connection's token columns (every member's app syncs), could copy an
unused old value into another connection's row before any app had bound it.

The database cannot bind them itself (it never holds the token key), but it
can refuse the copy: a member's or the API's login may not write a value of
the older form into a sealed column unless it is the value already there.
Nothing the app writes is refused (it seals only in the bound form, and binds
an old value in place the first time it opens it; ``keys rotate`` binds
them all).  Administrators (a superuser, a login holding the owner role) are
trusted as before: ``Move my data here`` copies old values as they are.

Revision ID: 0025_bound_seals_only
Revises: 0024_notes_tenant
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025_bound_seals_only"
down_revision: str | None = "0024_notes_tenant"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "snorq_owner"
SEALED_COLUMNS = {
    "platform_connections": ("access_token", "refresh_token"),
    "platform_apps": ("app_secret", "webhook_verify_token"),
}

_FUNCTION = f"""
CREATE FUNCTION snorq_refuse_unbound_seal() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    wanted text;
    written text;
    was text;
BEGIN
    IF pg_has_role(session_user, '{OWNER}', 'MEMBER') THEN
        RETURN NEW;
    END IF;
    FOREACH wanted IN ARRAY TG_ARGV LOOP
        written := to_jsonb(NEW) ->> wanted;
        was := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) ->> wanted END;
        IF written ~ '^k[0-9]+:' AND written IS DISTINCT FROM was THEN
            RAISE EXCEPTION 'A token sealed by an older SNORQ Desktop cannot be copied into '
                'another row or field. Reconnect the account, or have the owner run '
                '"snorq-desktop keys rotate".'
                USING ERRCODE = 'SQ001';
        END IF;
    END LOOP;
    RETURN NEW;
END $$
"""


def _trigger(table: str) -> str:
    columns = SEALED_COLUMNS[table]
    names = ", ".join(columns)
    arguments = ", ".join(f"'{c}'" for c in columns)
    return (
        f"CREATE TRIGGER {table}_bound_seals_only BEFORE INSERT OR UPDATE OF {names} "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION snorq_refuse_unbound_seal({arguments})"
    )


def upgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    op.execute(_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION snorq_refuse_unbound_seal() FROM PUBLIC")
    for table in SEALED_COLUMNS:
        op.execute(_trigger(table))
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute(f"SET ROLE {OWNER}")
    for table in SEALED_COLUMNS:
        op.execute(f"DROP TRIGGER {table}_bound_seals_only ON {table}")
    op.execute("DROP FUNCTION snorq_refuse_unbound_seal()")
    op.execute("RESET ROLE")
