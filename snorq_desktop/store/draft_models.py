"""A reply being written, kept per member and conversation (beyond the seed,
migration 0011; its reply target, 0014)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.store.model_base import Base, updated_at_column


class ReplyDraft(Base):
    """Beyond the seed: what a member has written but not sent, per conversation,
    and whether it is meant as an internal note; so it survives switching
    conversations and restarting, and follows the member to another computer."""

    __tablename__ = "reply_drafts"
    __table_args__ = (
        Index("reply_drafts_organization_id_user_id_idx", "organization_id", "user_id"),
    )

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    as_note: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Migration 0014: the message of this conversation the reply answers (our id).
    reply_to_message_id: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = updated_at_column()
