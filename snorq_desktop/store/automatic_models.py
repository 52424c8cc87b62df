"""Beyond the seed (#17.6, migration 0027): the organisation's business hours,
and the key of every automatic answer queued (once per conversation, kind and
period, whichever app queues it)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.store.model_base import Base, created_at_column, id_column, updated_at_column


class BusinessHoursRow(Base):
    """One organisation's week (JSON, Monday first: ["09:00", "18:00"] or null),
    its time zone and the two automatic messages; OWNER or ADMIN change it."""

    __tablename__ = "business_hours"
    __table_args__ = (
        CheckConstraint(
            "jsonb_typeof(week) = 'array' AND jsonb_array_length(week) = 7", name="seven_days"
        ),
        CheckConstraint(
            "length(away_text) <= 1000 AND length(greeting_text) <= 1000", name="texts_fit"
        ),
        CheckConstraint(
            "(NOT away_on OR btrim(away_text) <> '') AND "
            "(NOT greeting_on OR btrim(greeting_text) <> '')",
            name="on_with_words",
        ),
    )

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    time_zone: Mapped[str] = mapped_column(Text)
    week: Mapped[list[Any]] = mapped_column(JSONB)
    away_on: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    away_text: Mapped[str] = mapped_column(Text, server_default=text("''"))
    greeting_on: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    greeting_text: Mapped[str] = mapped_column(Text, server_default=text("''"))
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = updated_at_column()


class AutomaticReplyRow(Base):
    """An automatic answer queued: the unique key says it is never queued twice."""

    __tablename__ = "automatic_replies"
    __table_args__ = (
        Index(
            "automatic_replies_once_key",
            "organization_id",
            "conversation_id",
            "kind",
            "period_start",
            unique=True,
        ),
        Index(
            "automatic_replies_message_id_idx",
            "message_id",
            postgresql_where=text("message_id IS NOT NULL"),
        ),
        CheckConstraint("kind IN ('AWAY', 'GREETING')", name="kind"),
    )

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Text)
    period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
