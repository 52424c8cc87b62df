"""The seed's Phase 2 tables: labels and internal notes (migration 0005),
registered on Base.metadata through store/models.py."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.store.model_base import Base, created_at_column, id_column

# --- The seed's Phase 2: labels and internal notes (migration 0005) -------------
#
# Beyond the seed: a label's name is unique per organisation whatever its case
# (the seed's exact-case unique stays too); names and colours are checked; and
# triggers (in the migration) keep ``conversations.labels`` equal to the label
# tables, for every writer of the database, in the writer's own transaction.


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("organization_id", "name"),
        Index(
            "labels_organization_id_name_ci_key",
            "organization_id",
            text("lower(name)"),
            unique=True,
        ),
        CheckConstraint("btrim(name) <> ''", name="name_not_blank"),
        CheckConstraint("color ~ '^#[0-9a-fA-F]{6}$'", name="color_hex"),
    )

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(Text, default="#6366f1", server_default="#6366f1")
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))


class ConversationLabel(Base):
    __tablename__ = "conversation_labels"
    __table_args__ = (
        # A label's view and a label's deletion find its conversations here.
        Index("conversation_labels_label_id_idx", "label_id"),
    )

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[str] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True
    )


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (
        Index(
            "notes_organization_id_conversation_id_created_at_idx",
            "organization_id",
            "conversation_id",
            "created_at",
        ),
        CheckConstraint("btrim(content) <> ''", name="content_not_blank"),
        # The conversation with the organisation (0024): the database refuses a
        # note whose organisation is not its conversation's.
        ForeignKeyConstraint(
            ["organization_id", "conversation_id"],
            ["conversations.organization_id", "conversations.id"],
            name="notes_conversation_id_fkey",
            ondelete="CASCADE",
        ),
    )

    id: Mapped[str] = id_column()
    content: Mapped[str] = mapped_column(Text)
    # Beyond the seed (0024): every statement on notes names the shop (#14.3).
    organization_id: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[str] = mapped_column(Text)
    # CASCADE, like the seed's other required relations to a user (owner,
    # membership): deleting a user's account takes what they wrote.  Leaving a
    # team (a membership removed) keeps their notes.  RESTRICT (Prisma's default)
    # and even NO ACTION would refuse to delete any user who ever wrote a note,
    # their own organisation's included, since PostgreSQL checks them before the
    # organisation's cascade reaches the notes.
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
