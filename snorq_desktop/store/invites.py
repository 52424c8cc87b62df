"""Invites to join an organisation, with the seed's member rules.

- Only an OWNER or ADMIN invites, and never to a role above their own
  (never OWNER: ownership moves only by a transfer).
- Seats: an invite is made only while members plus pending invites (not used,
  not expired) stay within the plan; the seat is checked again when the invite
  is used, under the organisation's row lock (:func:`organizations.add_member`).
- A code works once and until it expires (the database server's clock), and
  only for the email address it was made for.
- A new invite for an address replaces that address's pending one.

The code's secret is never stored: the caller gives its hash.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import (
    AlreadyMember,
    InviteInvalid,
    NotFound,
    PermissionDenied,
    SeatLimitReached,
)
from snorq_desktop.domain.plans import plan_label, seats_for
from snorq_desktop.domain.roles import can_grant, can_manage_members
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.models import Invite, OrganizationMember, User


@dataclass(frozen=True)
class PendingInvite:
    id: str
    email: str
    role: MemberRole
    expires_at: datetime


@dataclass(frozen=True)
class RedeemedInvite:
    organization_id: str
    role: MemberRole
    sealed_keys: bytes | None


def _pending(organization_id: str) -> tuple[ColumnElement[bool], ...]:
    return (
        Invite.organization_id == organization_id,
        Invite.used_at.is_(None),
        Invite.expires_at > func.now(),
    )


def create_invite(
    session: Session,
    *,
    invite_id: str,
    organization_id: str,
    actor_id: str,
    email: str,
    role: MemberRole,
    code_hash: str,
    sealed_keys: bytes | None,
    expires_at: datetime,
) -> None:
    organization = orgs.lock_organization(session, organization_id)
    actor_role = orgs.require_role(session, organization_id, actor_id)
    if not can_manage_members(actor_role):
        raise PermissionDenied("Only an owner or an admin can invite people.")
    if not can_grant(actor_role, role):
        raise PermissionDenied(
            f"Your role ({actor_role.value}) does not allow inviting someone as {role.value}."
        )
    address = email.strip().lower()
    if "@" not in address:
        raise InviteInvalid(f"'{email}' is not an email address.")
    already = session.execute(
        select(OrganizationMember.id)
        .join(User, User.id == OrganizationMember.user_id)
        .where(OrganizationMember.organization_id == organization_id, User.email == address)
    ).first()
    if already is not None:
        raise AlreadyMember(f"{address} is already a member of this organisation.")
    session.execute(delete(Invite).where(*_pending(organization_id), Invite.email == address))
    pending = session.execute(
        select(func.count()).select_from(Invite).where(*_pending(organization_id))
    ).scalar_one()
    seats = seats_for(organization.plan)
    if orgs.member_count(session, organization_id) + pending >= seats:
        raise SeatLimitReached(
            f"The {plan_label(organization.plan)} plan has {seats} seat"
            f"{'s' if seats != 1 else ''}, and all are taken by members or pending invites. "
            "Upgrade the plan, or remove a member or an invite first."
        )
    session.add(
        Invite(
            id=invite_id,
            organization_id=organization_id,
            email=address,
            role=role,
            code_hash=code_hash,
            sealed_keys=sealed_keys,
            created_by=actor_id,
            expires_at=expires_at,
        )
    )
    session.flush()


def pending_invites(session: Session, organization_id: str) -> list[PendingInvite]:
    rows = session.execute(
        select(Invite.id, Invite.email, Invite.role, Invite.expires_at)
        .where(*_pending(organization_id))
        .order_by(Invite.created_at)
    ).all()
    return [PendingInvite(*row) for row in rows]


def cancel_invite(session: Session, *, organization_id: str, actor_id: str, invite_id: str) -> None:
    orgs.lock_organization(session, organization_id)
    if not can_manage_members(orgs.require_role(session, organization_id, actor_id)):
        raise PermissionDenied("Only an owner or an admin can cancel invites.")
    deleted = session.execute(
        delete(Invite).where(Invite.id == invite_id, Invite.organization_id == organization_id)
    )
    if deleted.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("That invite no longer exists.")


def redeem_invite(session: Session, *, code_hash: str, user_id: str) -> RedeemedInvite:
    """Makes the user a member as the invite says; the invite is used up and its
    sealed keys are returned (and erased from the row) in the same transaction."""
    found = session.execute(
        select(Invite.organization_id).where(Invite.code_hash == code_hash)
    ).scalar_one_or_none()
    if found is not None:
        # The organisation first, then the invite: the order every membership
        # change takes locks in (create_invite too), so two never wait on each other.
        orgs.lock_organization(session, found)
    invite = session.execute(
        select(Invite)
        .where(Invite.code_hash == code_hash)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if invite is None:
        raise InviteInvalid(
            "This invite code is not known to the team database; check it was copied whole, "
            "or ask for a new one."
        )
    if invite.used_at is not None:
        raise InviteInvalid("This invite code has already been used; ask for a new one.")
    expired = session.execute(select(invite.expires_at <= func.now())).scalar_one()
    if expired:
        raise InviteInvalid(
            f"This invite code expired on {invite.expires_at:%d %B %Y}; ask for a new one."
        )
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That user no longer exists.")
    if user.email.lower() != invite.email:
        raise InviteInvalid(
            f"This invite is for {invite.email}, but you are signed in as {user.email}; sign in "
            f"as {invite.email}, or ask for an invite for {user.email}."
        )
    orgs.add_member(
        session, organization_id=invite.organization_id, user_id=user_id, role=invite.role
    )
    sealed = invite.sealed_keys
    session.execute(
        update(Invite)
        .where(Invite.id == invite.id)
        .values(used_at=func.now(), used_by=user_id, sealed_keys=None)
    )
    return RedeemedInvite(invite.organization_id, invite.role, sealed)
