"""The models' common base: the metadata with Prisma's constraint names, and the
column helpers every table uses (split from models.py to keep each module small)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, MetaData, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from snorq_desktop.domain.ids import new_id

NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def seed_enum(enum: type[StrEnum]) -> Enum:
    """A PostgreSQL enum type named as in the seed (``"Platform"``, …)."""
    return Enum(
        enum,
        name=enum.__name__,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def id_column() -> Mapped[str]:
    return mapped_column(Text, primary_key=True, default=new_id)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


def updated_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())
