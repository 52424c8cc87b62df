"""Who may join an organisation (invites, migration 0007), whose each member's
database login is (migration 0013), the licences its plan comes from (0016) and
the team's quick replies (0020)."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.store.model_base import (
    Base,
    created_at_column,
    id_column,
    seed_enum,
    updated_at_column,
)


class MemberLogin(Base):
    """Beyond the seed (migration 0013): which person each member's database login
    belongs to.  The row-level security policies read it with ``current_user``;
    no member's login may read or write it (only the SECURITY DEFINER functions)."""

    __tablename__ = "member_logins"
    __table_args__ = (Index("member_logins_user_id_idx", "user_id"),)

    login: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()


class Invite(Base):
    """Beyond the seed: an invitation to join an organisation, for one email
    address and one role.  Only a hash of the code's secret is kept, and the
    token keys ride along sealed with a key derived from that secret (see
    secrets/invite_code.py), so the database alone opens neither."""

    __tablename__ = "invites"
    __table_args__ = (Index("invites_organization_id_idx", "organization_id"),)

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(Text)
    role: Mapped[MemberRole] = mapped_column(seed_enum(MemberRole))
    code_hash: Mapped[str] = mapped_column(Text, unique=True)
    sealed_keys: Mapped[bytes | None] = mapped_column(LargeBinary)  # cleared once used
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The database login made for the invited member (migration 0013); theirs once used.
    login: Mapped[str | None] = mapped_column(Text)


class StoredLicence(Base):
    """Beyond the seed (migration 0016): the licences the owner entered, so one
    activation serves every app of the team.  Written only by the database's
    snorq_activate_licence; every app checks the newest one's signature on read."""

    __tablename__ = "licences"
    __table_args__ = (Index("licences_organization_id_idx", "organization_id"),)

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # md5 of the text
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    licence_id: Mapped[str] = mapped_column(Text)
    plan: Mapped[PlanType] = mapped_column(seed_enum(PlanType))
    seats: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)
    activated_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    activated_at: Mapped[datetime] = created_at_column()


class WorkLease(Base):
    """Beyond the seed (#14): which app of the team works something (a platform
    connection) until when.  A row with an expiry instead of a session advisory
    lock, so a transaction pooler in front of the database and an app that
    crashes both leave no claim behind (store/leases.py)."""

    __tablename__ = "work_leases"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(Text, primary_key=True)
    holder: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    taken_at: Mapped[datetime] = created_at_column()


class QuickReply(Base):
    """Beyond the seed (#17.1): one of the team's saved answers, typed in the reply
    box as "/" and its shortcut.  The shortcut is stored without its slash and
    is unique in the organisation whatever its case; every member adds, edits
    and deletes them (they are the team's, like the words they answer with)."""

    __tablename__ = "quick_replies"
    __table_args__ = (
        Index(
            "quick_replies_organization_id_shortcut_key",
            "organization_id",
            text("lower(shortcut)"),
            unique=True,
        ),
        CheckConstraint(
            "shortcut ~ '^[^[:space:]/]{1,30}$'",
            name="shortcut_word",
        ),
        CheckConstraint("btrim(text) <> '' AND length(text) <= 4096", name="text_fits"),
    )

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    shortcut: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
