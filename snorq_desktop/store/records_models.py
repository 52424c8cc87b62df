"""The shop's records beside the conversations: the daily analytics the dashboard
reads and the FREE plan's history bookkeeping (tables of migration 0006)."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.domain.enums import ConversationStatus, Platform
from snorq_desktop.store.model_base import Base, id_column, seed_enum


class DailyAnalytics(Base):
    """The seed's Phase 3 model: one row per organisation and day (UTC days), filled
    by the rollup (store/analytics.py).  ``avg_response_time`` is in seconds,
    None on a day without a first reply.  Deleting the organisation deletes its
    rows (the seed's cascades from Organization, kept for a derived table)."""

    __tablename__ = "daily_analytics"
    __table_args__ = (UniqueConstraint("organization_id", "date"),)

    id: Mapped[str] = id_column()
    date: Mapped[date] = mapped_column(Date)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    messages_received: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    messages_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    conversations_new: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    avg_response_time: Mapped[int | None] = mapped_column(Integer)


class DailyPlatformAnalytics(Base):
    """Beyond the seed: the same day split by platform, for the dashboard's charts.
    Keeps the response-time sum and count, so days and platforms add up exactly."""

    __tablename__ = "daily_platform_analytics"
    __table_args__ = (UniqueConstraint("organization_id", "date", "platform"),)

    id: Mapped[str] = id_column()
    date: Mapped[date] = mapped_column(Date)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform: Mapped[Platform] = mapped_column(seed_enum(Platform))
    messages_received: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    messages_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    conversations_new: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    responses: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    response_seconds: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class ConversationDayAnalytics(Base):
    """One conversation's figures for one UTC day, kept by the rollup so that a
    change re-reads only the (conversation, day) pairs it touched and re-sums
    its days from these rows, not from every message of the day (0029).
    ``conversations_new`` is 1 on the day the conversation started, else 0."""

    __tablename__ = "conversation_day_analytics"
    __table_args__ = (
        # With its organisation, as one key (as notes, 0024): a conversation
        # deleted takes its rows (as its messages), found by the index below.
        ForeignKeyConstraint(
            ["organization_id", "conversation_id"],
            ["conversations.organization_id", "conversations.id"],
            name="conversation_day_analytics_conversation_id_fkey",
            ondelete="CASCADE",
        ),
        Index(
            "conversation_day_analytics_conversation_id_idx", "organization_id", "conversation_id"
        ),
    )

    # Goes with its organisation through its conversation (the key above).
    organization_id: Mapped[str] = mapped_column(Text, primary_key=True)
    # The key leads with the day, so a day's rows are one range (the re-sum).
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(Text, primary_key=True)
    platform: Mapped[Platform] = mapped_column(seed_enum(Platform))
    messages_received: Mapped[int] = mapped_column(Integer)
    messages_sent: Mapped[int] = mapped_column(Integer)
    conversations_new: Mapped[int] = mapped_column(Integer)
    responses: Mapped[int] = mapped_column(Integer)
    response_seconds: Mapped[int] = mapped_column(BigInteger)


class AnalyticsPending(Base):
    """Conversations whose messages changed since the last rollup, and the span of
    time they changed in: written by a trigger on ``messages`` in the writer's own
    transaction, taken (deleted) by the rollup that recomputes those days."""

    __tablename__ = "analytics_pending"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    organization_id: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[str] = mapped_column(Text)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HistoryRetention(Base):
    """The FREE plan's 30-day history, per organisation: when the team was first
    warned that older messages will go, and the last purge."""

    __tablename__ = "history_retention"

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_purge_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_purge_messages: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class InboxCountChange(Base):
    """The sidebar's counts, kept as they change: a trigger on ``conversations``
    appends each statement's change per (organisation, platform, status), and
    reading the counts folds them (store/inbox_counts.py).  Append-only, so writers of
    different conversations never wait on one counts row."""

    __tablename__ = "inbox_count_changes"
    __table_args__ = (Index("inbox_count_changes_organization_id_idx", "organization_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform: Mapped[Platform] = mapped_column(seed_enum(Platform))
    status: Mapped[ConversationStatus] = mapped_column(seed_enum(ConversationStatus))
    conversations: Mapped[int] = mapped_column(BigInteger)
    unread_conversations: Mapped[int] = mapped_column(BigInteger)
    unread_messages: Mapped[int] = mapped_column(BigInteger)
