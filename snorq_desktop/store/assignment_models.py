"""Beyond the seed: the open conversations per assignee, kept as they change
(migration 0023_assignments), for the sidebar's "Mine" and "Unassigned"."""

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from snorq_desktop.store.model_base import Base


class AssignmentCountChange(Base):
    """A trigger on ``conversations`` appends each statement's change of open
    conversations per (organisation, assignee; NULL: unassigned), and reading
    the counts folds them (store/assignments.py), like inbox_count_changes.
    No foreign key on the assignee: a person's rows sum to nought once they
    leave (their conversations move to Unassigned), and fold away."""

    __tablename__ = "assignment_count_changes"
    __table_args__ = (Index("assignment_count_changes_organization_id_idx", "organization_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    assignee_user_id: Mapped[str | None] = mapped_column(Text)
    conversations: Mapped[int] = mapped_column(BigInteger)
