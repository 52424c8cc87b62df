"""Users, organisations and members, with the seed's rules held here.

- Every organisation has exactly one owner, who is also its one OWNER member.
- Ownership moves only by :func:`transfer_ownership`.
- Members never exceed the plan's seats (FREE 1, PRO 3, BUSINESS 4), also when
  two apps add members at the same moment: every change to an organisation's
  membership first locks the organisation's row, so such changes take turns.

Since migration 0013 the database holds these rules (SECURITY DEFINER functions
that also check who calls): creating an organisation, role changes, removals,
ownership and the plan call them (store/rules.py).  :func:`add_member` writes
directly and is for the administrator's login only (the demo, tests): a
member's login may not write ``organization_members``.

Functions take the caller's session and never commit (see unit_of_work).
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.domain.errors import (
    AlreadyMember,
    NotFound,
    OwnershipRuleViolated,
    PermissionDenied,
    SeatLimitReached,
)
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.plans import plan_label, seats_for
from snorq_desktop.domain.roles import can_grant
from snorq_desktop.store.models import Organization, OrganizationMember, User
from snorq_desktop.store.rules import call_rule


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
    """A new organisation with ``owner_id`` as its owner and OWNER member (the
    database's snorq_create_organization; a plan other than FREE is then set
    by the owner's snorq_change_plan, seats checked)."""
    organization_id = new_id()
    call_rule(
        session,
        "SELECT snorq_create_organization(:actor, :id, :name, :slug)",
        actor=owner_id,
        id=organization_id,
        name=name.strip(),
        slug=slug,
    )
    if plan is not PlanType.FREE:
        change_plan(session, organization_id=organization_id, actor_id=owner_id, plan=plan)
    return organization_id


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
    """Never to or from OWNER; a manager changes roles up to their own (the database checks)."""
    call_rule(
        session,
        'SELECT snorq_change_role(:actor, :org, :user, CAST(:role AS "MemberRole"))',
        actor=actor_id,
        org=organization_id,
        user=user_id,
        role=role.value,
    )


def remove_member(session: Session, *, organization_id: str, actor_id: str, user_id: str) -> None:
    """A manager removes a member, or a member leaves; the owner cannot be removed.
    A person left in no organisation of the database loses their login at once."""
    call_rule(
        session,
        "SELECT snorq_remove_member(:actor, :org, :user)",
        actor=actor_id,
        org=organization_id,
        user=user_id,
    )


def transfer_ownership(
    session: Session, *, organization_id: str, actor_id: str, new_owner_id: str
) -> None:
    """The owner hands the organisation to another member; the old owner stays as ADMIN."""
    call_rule(
        session,
        "SELECT snorq_transfer_ownership(:actor, :org, :user)",
        actor=actor_id,
        org=organization_id,
        user=new_owner_id,
    )


def change_plan(session: Session, *, organization_id: str, actor_id: str, plan: PlanType) -> None:
    """Only the owner (billing); never to a plan with fewer seats than members."""
    call_rule(
        session,
        'SELECT snorq_change_plan(:actor, :org, CAST(:plan AS "PlanType"))',
        actor=actor_id,
        org=organization_id,
        plan=plan.value,
    )


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


def member_logins(session: Session, organization_id: str) -> dict[str, str]:
    """Each member's own database login (user id → login), for managers and the
    administrator's login; empty for anyone else, and on the built-in database."""
    rows = session.execute(
        text("SELECT user_id, login FROM snorq_member_logins(:org)"), {"org": organization_id}
    ).all()
    return {row[0]: row[1] for row in rows}


def issue_login(session: Session, *, user_id: str, verifier: str) -> str | None:
    """A login of their own for ``user_id`` (the owner of an organisation made with
    the administrator's login); None when this session's login may not issue one."""
    try:
        row = call_rule(
            session, "SELECT snorq_issue_login(:user, :verifier)", user=user_id, verifier=verifier
        )
    except PermissionDenied:
        return None
    return None if row is None else str(row[0])


def organizations_of(session: Session, user_id: str) -> list[str]:
    """The organisations this person belongs to."""
    return list(
        session.execute(
            select(OrganizationMember.organization_id).where(OrganizationMember.user_id == user_id)
        ).scalars()
    )
