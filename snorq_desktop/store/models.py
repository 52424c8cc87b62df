"""The seed's main schema as SQLAlchemy 2 typed models.

Table, column, enum type and label names are the seed's, so the seed's own
SQL and other clients (a Prisma app, psql) share the database with us.
Constraint names follow Prisma's convention for the same reason.  Every
default the seed has is also a server default, so a plain ``INSERT`` that
gives only ids, foreign keys and required columns works.

Deliberate choices beyond the seed, each needed by a later feature:
- ``messages.organization_id`` so every tenant table filters by organisation;
- one row per platform message: unique ``(conversation_id, external_id)``
  where ``external_id`` is set;
- at most one OWNER member per organisation (a partial unique index);
- ``messages.sent_by_user_id`` is SET NULL when that user is deleted (Prisma's
  default for an optional relation): a teammate leaving does not delete the
  replies they wrote in someone else's organisation.
- Timestamps are ``timestamptz``: a team spans time zones.
"""

from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.domain.enums import (
    ConnectionStatus,
    ContentType,
    ConversationStatus,
    MemberRole,
    MessageDirection,
    MessageStatus,
    PlanType,
    Platform,
)
from snorq_desktop.store.api_key_models import ApiKey
from snorq_desktop.store.assignment_models import AssignmentCountChange
from snorq_desktop.store.automatic_models import AutomaticReplyRow, BusinessHoursRow
from snorq_desktop.store.conversation_indexes import conversation_indexes_0028
from snorq_desktop.store.draft_models import ReplyDraft
from snorq_desktop.store.label_models import ConversationLabel, Label, Note
from snorq_desktop.store.model_base import (
    Base,
    created_at_column,
    id_column,
    seed_enum,
    updated_at_column,
)
from snorq_desktop.store.platform_models import PlatformApp, WebhookEvent

# The records' tables live in their own module; importing them here registers
# them on Base.metadata for whoever reads the whole schema (Alembic, the move).
from snorq_desktop.store.records_models import (
    AnalyticsPending,
    ConversationDayAnalytics,
    DailyAnalytics,
    DailyPlatformAnalytics,
    HistoryRetention,
    InboxCountChange,
)
from snorq_desktop.store.team_models import Invite, MemberLogin, StoredLicence, WorkLease

__all__ = [
    "AnalyticsPending",
    "ApiKey",
    "AssignmentCountChange",
    "AutomaticReplyRow",
    "Base",
    "BusinessHoursRow",
    "ConversationDayAnalytics",
    "ConversationLabel",
    "DailyAnalytics",
    "DailyPlatformAnalytics",
    "HistoryRetention",
    "InboxCountChange",
    "Invite",
    "Label",
    "MemberLogin",
    "Note",
    "PlatformApp",
    "ReplyDraft",
    "StoredLicence",
    "WebhookEvent",
    "WorkLease",
]


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = id_column()
    email: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(Text)
    google_id: Mapped[str | None] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    plan: Mapped[PlanType] = mapped_column(
        seed_enum(PlanType), default=PlanType.FREE, server_default=PlanType.FREE.value
    )
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    def __repr__(self) -> str:
        return f"Organization(id={self.id!r}, slug={self.slug!r}, plan={self.plan!s})"


class OrganizationMember(Base):
    __tablename__ = "organization_members"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        # The seed's first business rule, held by the database as well as by
        # the store: at most one OWNER member per organisation.
        Index(
            "organization_members_one_owner_key",
            "organization_id",
            unique=True,
            postgresql_where=text("role = 'OWNER'"),
        ),
    )

    id: Mapped[str] = id_column()
    role: Mapped[MemberRole] = mapped_column(
        seed_enum(MemberRole), default=MemberRole.MEMBER, server_default=MemberRole.MEMBER.value
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = created_at_column()


class PlatformConnection(Base):
    __tablename__ = "platform_connections"
    __table_args__ = (
        # Named by hand: the conventional name is longer than PostgreSQL's 63
        # characters; this is the one Prisma gives it.
        UniqueConstraint(
            "organization_id",
            "platform",
            "platform_user_id",
            name="platform_connections_organization_id_platform_platform_user_key",
        ),
        # Beyond the seed (migration 0013): one platform account, one organisation,
        # database-wide, so a webhook routes to exactly one shop.
        Index(
            "platform_connections_platform_account_key",
            "platform",
            "platform_user_id",
            unique=True,
        ),
    )

    id: Mapped[str] = id_column()
    platform: Mapped[Platform] = mapped_column(seed_enum(Platform))
    platform_user_id: Mapped[str] = mapped_column(Text)
    platform_username: Mapped[str | None] = mapped_column(Text)
    platform_display_name: Mapped[str | None] = mapped_column(Text)
    # Sealed by secrets.cipher before they get here; never the clear token.
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[ConnectionStatus] = mapped_column(
        seed_enum(ConnectionStatus),
        default=ConnectionStatus.ACTIVE,
        server_default=ConnectionStatus.ACTIVE.value,
    )
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error_message: Mapped[str | None] = mapped_column(Text)
    # Beyond the seed: WhatsApp's business account id (templates are listed there).
    business_account_id: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    def __repr__(self) -> str:
        # Tokens stay out of reprs, even sealed.
        return (
            f"PlatformConnection(id={self.id!r}, platform={self.platform!s}, "
            f"platform_user_id={self.platform_user_id!r}, status={self.status!s})"
        )


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("platform_connection_id", "external_id"),
        # What a note references (0024), so its organisation is its conversation's.
        UniqueConstraint("organization_id", "id"),
        Index(
            "conversations_organization_id_updated_at_idx",
            "organization_id",
            text("updated_at DESC"),
        ),
        Index("conversations_platform_updated_at_idx", "platform", text("updated_at DESC")),
        # The inbox: newest activity first, ties by id, paged by keyset.
        Index(
            "conversations_inbox_idx",
            "organization_id",
            text("COALESCE(last_message_at, created_at) DESC"),
            text("id DESC"),
        ),
        # The unread badge sums only conversations that have unread messages.
        Index(
            "conversations_unread_idx",
            "organization_id",
            "platform",
            postgresql_include=["unread_count"],
            postgresql_where=text("unread_count > 0"),
        ),
        Index(
            "conversations_platform_connection_id_contact_username_idx",
            "platform_connection_id",
            "contact_username",
        ),
        Index(
            "conversations_contact_search_idx",
            text("to_tsvector('simple'::regconfig, COALESCE(contact_name, ''))"),
            postgresql_using="gin",
        ),
        # "Closing soon" (0021): a short range per platform of the customer's last message.
        Index("conversations_last_inbound_idx", "organization_id", "last_inbound_at"),
        # Who's on it (0023): the assignee is a member of this organisation, and
        # a "Mine" or "Unassigned" page reads its rows in order.
        ForeignKeyConstraint(
            ["organization_id", "assignee_user_id"],
            ["organization_members.organization_id", "organization_members.user_id"],
            name="conversations_assignee_member_fkey",
        ),
        Index(
            "conversations_assignee_inbox_idx",
            "organization_id",
            "assignee_user_id",
            text("COALESCE(last_message_at, created_at) DESC"),
            text("id DESC"),
        ),
        Index(
            "conversations_unassigned_inbox_idx",
            "organization_id",
            text("COALESCE(last_message_at, created_at) DESC"),
            text("id DESC"),
            postgresql_where=text("assignee_user_id IS NULL"),
        ),
        *conversation_indexes_0028(),  # the split and the snoozed (their own module)
    )

    id: Mapped[str] = id_column()
    platform: Mapped[Platform] = mapped_column(seed_enum(Platform))
    external_id: Mapped[str] = mapped_column(Text)
    external_thread_id: Mapped[str | None] = mapped_column(Text)
    contact_external_id: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(Text)
    contact_username: Mapped[str | None] = mapped_column(Text)
    contact_avatar_url: Mapped[str | None] = mapped_column(Text)
    last_message_preview: Mapped[str | None] = mapped_column(Text)
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unread_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    status: Mapped[ConversationStatus] = mapped_column(
        seed_enum(ConversationStatus),
        default=ConversationStatus.OPEN,
        server_default=ConversationStatus.OPEN.value,
    )
    labels: Mapped[list[str] | None] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    platform_connection_id: Mapped[str] = mapped_column(
        ForeignKey("platform_connections.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    # Migration 0021: the customer's newest message (its platform time), moved by
    # ingest: the reply-window clocks of the rows and the "Closing soon" view.
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Beyond the seed (0023): the teammate on it; None: Unassigned.
    assignee_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", name="conversations_assignee_user_id_fkey")
    )
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_message_direction: Mapped[str | None] = mapped_column(  # INBOUND / OUTBOUND, as text
        Text, CheckConstraint("last_message_direction IN ('INBOUND', 'OUTBOUND')", "spoke")
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index(
            "messages_conversation_id_created_at_idx",
            "conversation_id",
            text("created_at DESC"),
        ),
        # A platform message is stored once, however often it is polled or
        # delivered by webhook.
        Index(
            "messages_conversation_id_external_id_key",
            "conversation_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
        # Deleting an organisation must not scan every message of every tenant.
        Index("messages_organization_id_idx", "organization_id"),
        # A thread in the order things were said (platform time), paged by keyset.
        Index(
            "messages_thread_idx",
            "conversation_id",
            text("COALESCE(platform_timestamp, created_at) DESC"),
            text("id DESC"),
        ),
        # Status events name our message by the platform's id alone.
        Index(
            "messages_outbound_external_id_idx",
            "external_id",
            postgresql_where=text("external_id IS NOT NULL AND direction = 'OUTBOUND'"),
        ),
        # A day of an organisation's messages (analytics), and its oldest (retention).
        Index(
            "messages_history_idx",
            "organization_id",
            text("COALESCE(platform_timestamp, created_at)"),
        ),
        Index(  # the outbox finds reactions waiting to be sent
            "messages_reaction_unsent_idx",
            "conversation_id",
            postgresql_where=text("reaction_unsent IS NOT NULL"),
        ),
        # A reply posted through the API is queued once per Idempotency-Key (0018).
        Index(
            "messages_idempotency_key_key",
            "organization_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        # Send later (0022): the replies still waiting for their time.
        Index(
            "messages_scheduled_idx",
            "organization_id",
            "send_at",
            postgresql_where=text("send_at IS NOT NULL AND status = 'PENDING'"),
        ),
        Index(
            "messages_content_search_idx",
            text("to_tsvector('simple'::regconfig, COALESCE(content, ''))"),
            postgresql_using="gin",
        ),
    )

    id: Mapped[str] = id_column()
    external_id: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[MessageDirection] = mapped_column(seed_enum(MessageDirection))
    content: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[ContentType] = mapped_column(
        seed_enum(ContentType), default=ContentType.TEXT, server_default=ContentType.TEXT.value
    )
    media_url: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str | None] = mapped_column(Text)
    media_thumbnail: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        seed_enum(MessageStatus),
        default=MessageStatus.SENT,
        server_default=MessageStatus.SENT.value,
    )
    sent_by_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    platform_timestamp: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    # Beyond the seed, for the outbox: when an app began handing this reply to the
    # platform (set before the request, so a crash mid-send is known), and why
    # the platform refused it.
    send_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # The WhatsApp template this reply is sent as (domain.templates.TemplateToSend JSON).
    template: Mapped[str | None] = mapped_column(Text)
    # Beyond the seed (migration 0010): the message in its conversation.
    reply_to_external_id: Mapped[str | None] = mapped_column(Text)  # may not be stored
    forwarded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # An echo of a message the business sent from its phone / Business Suite / TikTok app.
    sent_elsewhere: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # {"customer": "😮", "business": "👍"}: reactions are not messages.
    reactions: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    # Migration 0014: our reaction waiting in the outbox ("" takes ours off).
    reaction_unsent: Mapped[str | None] = mapped_column(Text)
    # "<API key id>:<the client's Idempotency-Key>" for a reply posted through the API.
    idempotency_key: Mapped[str | None] = mapped_column(Text)
    # Migration 0022: a reply scheduled for this time (NULL: sent at once).
    send_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Attachment(Base):
    """The bytes of a message's file, kept in the team database so any app of
    the team can send it, and a customer's file outlives the platform's link.
    ``content`` is NULL when the file could not be fetched (``problem`` says why)."""

    __tablename__ = "attachments"

    message_id: Mapped[str] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    file_name: Mapped[str] = mapped_column(Text)
    mime_type: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    problem: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
