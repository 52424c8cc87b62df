"""Who the app acts as.  Until sign-in exists, that is the owner of the
organisation in the database (the oldest one, if several)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from snorq_desktop.domain.identity import Identity
from snorq_desktop.store.models import Organization, User


def default_identity(session: Session) -> Identity | None:
    row = session.execute(
        select(
            Organization.id.label("organization_id"),
            Organization.name.label("organization_name"),
            User.id.label("user_id"),
            User.name.label("user_name"),
            User.email.label("user_email"),
        )
        .join(User, User.id == Organization.owner_id)
        .order_by(Organization.created_at, Organization.id)
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return Identity(
        organization_id=row.organization_id,
        organization_name=row.organization_name,
        user_id=row.user_id,
        user_name=row.user_name or row.user_email,
    )
