"""The REST API's keys (migration 0014, beyond the seed)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Text
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
