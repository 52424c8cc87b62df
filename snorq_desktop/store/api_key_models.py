"""The REST API's keys (migration 0018) and outgoing webhooks (0019), beyond the seed."""

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.store.model_base import Base, created_at_column, id_column, seed_enum


class ApiKey(Base):
    """A key for the BUSINESS plan's API.  Only the SHA-256 of the key is kept
    (``key_prefix`` is its first characters, to recognise it in a list); no
    login may read ``key_hash``, and rows change only through the definer
    functions ``snorq_create_api_key`` and ``snorq_revoke_api_key``."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("api_keys_organization_id_idx", "organization_id"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    key_prefix: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(Text, unique=True)
    role: Mapped[MemberRole] = mapped_column(seed_enum(MemberRole))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutgoingWebhook(Base):
    """A URL of a BUSINESS organisation's own system that receives signed events
    (migration 0015).  ``secret`` is sealed with the token key; rows change
    only through ``snorq_add_webhook`` and ``snorq_remove_webhook``."""

    __tablename__ = "outgoing_webhooks"
    __table_args__ = (Index("outgoing_webhooks_organization_id_idx", "organization_id"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class WebhookDelivery(Base):
    """One event for one webhook, queued by a trigger once (unique per webhook
    and event), claimed before it is posted, so never posted twice."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index(
            "webhook_deliveries_due_idx",
            "next_attempt_at",
            postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    webhook_id: Mapped[str] = mapped_column(ForeignKey("outgoing_webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at_column()
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    sending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
