"""Work leases (#14): which app of the team works a platform connection, as a
row with an expiry instead of a session advisory lock.

Behind a transaction-mode pooler (PgBouncer) a session lock stays on
whichever server connection took it, long after the app is gone, and every
later app is told the connection is "worked by another app".  A lease row
holds the same claim, is renewed by its holder while it works, ends when it
is given back, and is taken over by anyone once it has expired, so a crashed
app's claim ends by itself.

A tenant table like the others of 0013: row-level security ENABLEd and
FORCEd, any member of the organisation may take, renew and give back its
leases (every member's app syncs), the owner role sees all, and member logins
get their privileges through ``snorq_grant_member_privileges``.

Revision ID: 0017_work_leases
Revises: 0016_plan_licences
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_work_leases"
down_revision: str | None = "0016_plan_licences"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MINE = "organization_id = ANY ((SELECT snorq_organizations_of(current_user))::text[])"
GRANT = "GRANT SELECT, INSERT, UPDATE, DELETE ON work_leases TO %1$I"
_GRANT_LINE = f"    EXECUTE format('{GRANT}', p_login);\n"


def _grants_function_source() -> str:
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


def _replace_grants_function(source: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION snorq_grant_member_privileges(p_login name) RETURNS void "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS "
        f"$grants${source}$grants$"
    )


def _every_member_login() -> str:
    return (
        "SELECT login FROM member_logins UNION "
        "SELECT login FROM invites WHERE login IS NOT NULL"
    )


def upgrade() -> None:
    # As the owner role, for this migration's transaction only (a database
    # upgraded from nothing comes here straight from 0013, which resets its role).
    op.execute("SET LOCAL ROLE snorq_owner")
    op.create_table(
        "work_leases",
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "taken_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="work_leases_organization_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "name", name="work_leases_pkey"),
    )
    op.execute("REVOKE ALL ON work_leases FROM PUBLIC")
    op.execute("ALTER TABLE work_leases ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE work_leases FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY work_leases_read ON work_leases FOR SELECT TO PUBLIC USING ({MINE})")
    op.execute(
        f"CREATE POLICY work_leases_add ON work_leases FOR INSERT TO PUBLIC WITH CHECK ({MINE})"
    )
    op.execute(
        "CREATE POLICY work_leases_change ON work_leases FOR UPDATE TO PUBLIC "
        f"USING ({MINE}) WITH CHECK ({MINE})"
    )
    op.execute(
        f"CREATE POLICY work_leases_remove ON work_leases FOR DELETE TO PUBLIC USING ({MINE})"
    )
    op.execute(
        "CREATE POLICY owner_all ON work_leases TO snorq_owner USING (true) WITH CHECK (true)"
    )
    # New member logins get the lease privileges with the rest; the logins
    # that exist already get them now.
    source = _grants_function_source()
    if GRANT not in source:
        head, end, tail = source.rpartition("END")
        _replace_grants_function(head + _GRANT_LINE + end + tail)
    op.execute(
        f"""
        DO $$ DECLARE l record; BEGIN
            FOR l IN {_every_member_login()} LOOP
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = l.login) THEN
                    EXECUTE format('{GRANT}', l.login);
                END IF;
            END LOOP;
        END $$
        """
    )


def downgrade() -> None:
    op.execute("SET LOCAL ROLE snorq_owner")
    source = _grants_function_source()
    _replace_grants_function(source.replace(_GRANT_LINE, ""))
    op.drop_table("work_leases")
