"""What the platforms' side brings, beside the seed's tables: the webhooks the
relay accepted (its durable queue) and the business's own platform apps."""

from datetime import datetime

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.store.model_base import Base, created_at_column, id_column, updated_at_column


class WebhookEvent(Base):
    """A webhook the relay accepted (signature checked), kept until the apps
    have stored what it says: Postgres is the relay's durable queue."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        Index(
            "webhook_events_pending_idx",
            "received_at",
            postgresql_where=text("processed_at IS NULL"),
        ),
        # The retention purge removes stored bodies past the history boundary.
        Index(
            "webhook_events_received_at_idx",
            "received_at",
            postgresql_where=text("processed_at IS NOT NULL"),
        ),
    )

    id: Mapped[str] = id_column()
    source: Mapped[str] = mapped_column(Text)  # "meta" or "tiktok"
    dedupe_key: Mapped[str] = mapped_column(Text, unique=True)  # sha256 of the raw body
    body: Mapped[bytes] = mapped_column(LargeBinary)  # exactly as signed
    received_at: Mapped[datetime] = created_at_column()
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    # The platform accounts the body names (a trigger reads them from the body):
    # a member's login sees only the events for its organisations' accounts.
    accounts: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))


class PlatformApp(Base):
    """Beyond the seed: the business's own Meta or TikTok app (ids clear, secrets
    sealed like tokens), and the Meta webhook verify token made for its relay."""

    __tablename__ = "platform_apps"
    __table_args__ = (
        UniqueConstraint("organization_id", "provider"),
        CheckConstraint("provider IN ('META', 'TIKTOK')", name="provider"),
    )

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(Text)  # "META" (WhatsApp, Messenger) or "TIKTOK"
    app_id: Mapped[str | None] = mapped_column(Text)  # Meta app id / TikTok client key
    app_secret: Mapped[str | None] = mapped_column(Text)  # sealed
    webhook_verify_token: Mapped[str | None] = mapped_column(Text)  # sealed
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
