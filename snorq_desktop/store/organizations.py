"""Users, organisations and members, with the seed's rules held here.

- Every organisation has exactly one owner, who is also its one OWNER member.
- Ownership moves only by :func:`transfer_ownership`.
- Members never exceed the plan's seats (FREE 1, PRO 3, BUSINESS 4), also when
  two apps add members at the same moment: every change to an organisation's
  membership first locks the organisation's row, so such changes take turns.

Functions take the caller's session and never commit (see unit_of_work).
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.domain.errors import (
    AlreadyMember,
    NotFound,
    OwnershipRuleViolated,
    PermissionDenied,
    SeatLimitReached,
    SlugTaken,
)
from snorq_desktop.domain.plans import plan_label, seats_for
from snorq_desktop.domain.roles import can_grant, can_manage_members, rank
from snorq_desktop.store.models import Organization, OrganizationMember, User


@dataclass(frozen=True)
class MemberView:
    user_id: str
    email: str
    name: str | None
    role: MemberRole


def create_user(
    session: Session,
    *,
    email: str,
    name: str | None = None,
    avatar_url: str | None = None,
    google_id: str | None = None,
) -> str:
    user = User(email=email.strip().lower(), name=name, avatar_url=avatar_url, google_id=google_id)
    session.add(user)
    session.flush()
    return user.id


def create_organization(
    session: Session, *, owner_id: str, name: str, slug: str, plan: PlanType = PlanType.FREE
) -> str:
    """A new organisation with ``owner_id`` as its owner and OWNER member."""
    if session.get(User, owner_id) is None:
        raise NotFound("That user no longer exists.")
    organization = Organization(name=name.strip(), slug=slug, plan=plan, owner_id=owner_id)
    try:
        with session.begin_nested():
            session.add(organization)
            session.flush()
    except IntegrityError:
        raise SlugTaken(f"The address '{slug}' is already used by another organisation.") from None
    session.add(
        OrganizationMember(organization_id=organization.id, user_id=owner_id, role=MemberRole.OWNER)
    )
    session.flush()
    return organization.id


def _lock_organization(session: Session, organization_id: str) -> Organization:
    organization = session.execute(
        select(Organization)
        .where(Organization.id == organization_id)
        .with_for_update()
        # The row as it is now that we hold its lock, not as this session last saw it.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if organization is None:
        raise NotFound("That organisation no longer exists.")
    return organization


def _role_of(session: Session, organization_id: str, user_id: str) -> MemberRole | None:
    return session.execute(
        select(OrganizationMember.role).where(
            OrganizationMember.organization_id == organization_id,
            OrganizationMember.user_id == user_id,
        )
    ).scalar_one_or_none()


def _require_role(session: Session, organization_id: str, user_id: str) -> MemberRole:
    role = _role_of(session, organization_id, user_id)
    if role is None:
        raise PermissionDenied("You are not a member of this organisation.")
    return role


def member_count(session: Session, organization_id: str) -> int:
    return session.execute(
        select(func.count())
        .select_from(OrganizationMember)
        .where(OrganizationMember.organization_id == organization_id)
    ).scalar_one()


def _check_free_seat(session: Session, organization: Organization) -> None:
    seats = seats_for(organization.plan)
    if member_count(session, organization.id) >= seats:
        raise SeatLimitReached(
            f"The {plan_label(organization.plan)} plan has {seats} "
            f"seat{'s' if seats != 1 else ''}, and all are taken. Upgrade the plan or "
            "remove a member first."
        )


def add_member(
    session: Session,
    *,
    organization_id: str,
    user_id: str,
    role: MemberRole = MemberRole.MEMBER,
    added_by: str | None = None,
) -> None:
    """Add a member if a seat is free.  ``added_by`` (a member's user id) must
    be allowed to grant ``role``; None means the system (an invite being used)."""
    organization = _lock_organization(session, organization_id)
    if role is MemberRole.OWNER:
        raise OwnershipRuleViolated(
            "An organisation has exactly one owner; ownership moves only by a transfer."
        )
    if added_by is not None and not can_grant(
        _require_role(session, organization_id, added_by), role
    ):
        raise PermissionDenied(f"Your role does not allow adding a member as {role.value}.")
    if _role_of(session, organization_id, user_id) is not None:
        raise AlreadyMember("That person is already a member of this organisation.")
    _check_free_seat(session, organization)
    session.add(OrganizationMember(organization_id=organization_id, user_id=user_id, role=role))
    session.flush()


def change_role(
    session: Session, *, organization_id: str, actor_id: str, user_id: str, role: MemberRole
) -> None:
    _lock_organization(session, organization_id)
    actor_role = _require_role(session, organization_id, actor_id)
    current = _role_of(session, organization_id, user_id)
    if current is None:
        raise NotFound("That person is not a member of this organisation.")
    if role is MemberRole.OWNER or current is MemberRole.OWNER:
        raise OwnershipRuleViolated("The owner's role changes only by transferring ownership.")
    if not can_grant(actor_role, role) or rank(current) > rank(actor_role):
        raise PermissionDenied("Your role does not allow this change.")
    session.execute(
        update(OrganizationMember)
        .where(
            OrganizationMember.organization_id == organization_id,
            OrganizationMember.user_id == user_id,
        )
        .values(role=role)
    )


def remove_member(session: Session, *, organization_id: str, actor_id: str, user_id: str) -> None:
    """A manager removes a member, or a member leaves; the owner cannot be removed."""
    organization = _lock_organization(session, organization_id)
    actor_role = _require_role(session, organization_id, actor_id)
    target = _role_of(session, organization_id, user_id)
    if target is None:
        raise NotFound("That person is not a member of this organisation.")
    if user_id == organization.owner_id:
        raise OwnershipRuleViolated(
            "The owner cannot be removed: transfer ownership to another member first."
        )
    if actor_id != user_id and (
        not can_manage_members(actor_role) or rank(target) > rank(actor_role)
    ):
        raise PermissionDenied("Your role does not allow removing this member.")
    session.execute(
        delete(OrganizationMember).where(
            OrganizationMember.organization_id == organization_id,
            OrganizationMember.user_id == user_id,
        )
    )


def transfer_ownership(
    session: Session, *, organization_id: str, actor_id: str, new_owner_id: str
) -> None:
    """The owner hands the organisation to another member; the old owner stays as ADMIN."""
    organization = _lock_organization(session, organization_id)
    if actor_id != organization.owner_id:
        raise PermissionDenied("Only the owner can transfer ownership.")
    if new_owner_id == organization.owner_id:
        return
    if _role_of(session, organization_id, new_owner_id) is None:
        raise NotFound("Ownership can only go to a member of this organisation.")
    members = OrganizationMember.__table__.c
    # Demote first: the database holds at most one OWNER member at any moment.
    session.execute(
        update(OrganizationMember)
        .where(members.organization_id == organization_id, members.user_id == actor_id)
        .values(role=MemberRole.ADMIN)
    )
    session.execute(
        update(OrganizationMember)
        .where(members.organization_id == organization_id, members.user_id == new_owner_id)
        .values(role=MemberRole.OWNER)
    )
    organization.owner_id = new_owner_id
    session.flush()


def change_plan(session: Session, *, organization_id: str, actor_id: str, plan: PlanType) -> None:
    """Only the owner (billing); never to a plan with fewer seats than members."""
    organization = _lock_organization(session, organization_id)
    if actor_id != organization.owner_id:
        raise PermissionDenied("Only the owner can change the plan.")
    members = member_count(session, organization_id)
    if members > seats_for(plan):
        raise SeatLimitReached(
            f"The {plan_label(plan)} plan has {seats_for(plan)} seat"
            f"{'s' if seats_for(plan) != 1 else ''}, and this organisation has {members} "
            "members. Remove members first."
        )
    organization.plan = plan
    session.flush()


def members_of(session: Session, organization_id: str) -> list[MemberView]:
    rows = session.execute(
        select(User.id, User.email, User.name, OrganizationMember.role)
        .join(OrganizationMember, OrganizationMember.user_id == User.id)
        .where(OrganizationMember.organization_id == organization_id)
        .order_by(OrganizationMember.joined_at, User.email)
    ).all()
    return [MemberView(user_id=r[0], email=r[1], name=r[2], role=r[3]) for r in rows]


def delete_user(session: Session, user_id: str) -> None:
    """The user, the organisations they own and their memberships (the seed's cascades)."""
    session.execute(delete(User).where(User.id == user_id))


def delete_organization(session: Session, *, organization_id: str, actor_id: str) -> None:
    organization = _lock_organization(session, organization_id)
    if actor_id != organization.owner_id:
        raise PermissionDenied("Only the owner can delete the organisation.")
    session.execute(delete(Organization).where(Organization.id == organization_id))


# --- for the other repositories that change membership (invites) ------------------


def lock_organization(session: Session, organization_id: str) -> Organization:
    """The organisation's row, locked: membership changes take turns behind it."""
    return _lock_organization(session, organization_id)


def require_role(session: Session, organization_id: str, user_id: str) -> MemberRole:
    """The user's role here, or PermissionDenied if they are not a member."""
    return _require_role(session, organization_id, user_id)
