"""platform_apps: the business's own Meta and TikTok app credentials, sealed.

An addition to the seed: each organisation connects through its own Meta app
(WhatsApp, Messenger) and TikTok app, so their ids and secrets live beside the
connections, the secrets sealed like tokens (``k<version>:iv:tag:ciphertext``).
The Meta row also keeps the webhook verify token generated for the relay.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "platform_apps",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("app_id", sa.Text(), nullable=True),
        sa.Column("app_secret", sa.Text(), nullable=True),
        sa.Column("webhook_verify_token", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint("provider IN ('META', 'TIKTOK')", name=op.f("platform_apps_provider_check")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("platform_apps_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("platform_apps_pkey")),
        sa.UniqueConstraint(
            "organization_id", "provider", name=op.f("platform_apps_organization_id_provider_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("platform_apps")
