"""The users row of the person who signed in, and who the app acts as.

A Google account is found by its stable id (``google_id``); an account seen
for the first time is matched to an existing row by email (someone invited or
added before they first signed in), which then gets the id; otherwise a new
row is made.  Only addresses Google has verified are matched by email: an
unverified one could take over another person's row.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from snorq_desktop.domain.errors import SignInFailed
from snorq_desktop.domain.identity import Identity
from snorq_desktop.store.models import Organization, OrganizationMember, User


@dataclass(frozen=True)
class GoogleProfile:
    google_id: str
    email: str
    email_verified: bool
    name: str | None
    avatar_url: str | None


def user_for_google_account(session: Session, profile: GoogleProfile) -> str:
    """The user id for this Google account: found by google_id, then email, else created."""
    for _ in range(2):  # a second app signing the same person in at the same moment
        try:
            with session.begin_nested():
                return _find_or_create(session, profile)
        except IntegrityError:
            continue
    return _find_or_create(session, profile)


def _find_or_create(session: Session, profile: GoogleProfile) -> str:
    email = profile.email.strip().lower()
    user = session.execute(
        select(User).where(User.google_id == profile.google_id)
    ).scalar_one_or_none()
    if user is None:
        user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is not None:
            if not profile.email_verified:
                raise SignInFailed(
                    f"Google has not verified {email} yet; verify it with Google, then sign in "
                    "again."
                )
            if user.google_id is not None:
                raise SignInFailed(
                    f"{email} already belongs to another Google account in this database."
                )
            user.google_id = profile.google_id
    if user is None:
        user = User(email=email, google_id=profile.google_id)
        session.add(user)
    # Keep what Google says about the person current, without erasing what we had.
    user.email = email
    user.name = profile.name or user.name
    user.avatar_url = profile.avatar_url or user.avatar_url
    session.flush()
    return user.id


def identity_of(session: Session, user_id: str) -> Identity | None:
    """The user's organisation (the first one they joined), or None."""
    row = session.execute(
        select(Organization.id, Organization.name, User.id, User.name, User.email)
        .join(OrganizationMember, OrganizationMember.organization_id == Organization.id)
        .join(User, User.id == OrganizationMember.user_id)
        .where(User.id == user_id)
        .order_by(OrganizationMember.joined_at, Organization.id)
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return Identity(
        organization_id=row[0], organization_name=row[1], user_id=row[2], user_name=row[3] or row[4]
    )
