"""The seed's organisation rules, enforced by the store on real PostgreSQL."""

import threading

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.domain.errors import (
    AlreadyMember,
    OwnershipRuleViolated,
    PermissionDenied,
    SeatLimitReached,
    SlugTaken,
)
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.models import Organization, OrganizationMember
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work


def _user(session: Session, name: str) -> str:
    return orgs.create_user(session, email=f"{name}@example.com", name=name.title())


def _owners(session: Session, organization_id: str) -> list[str]:
    return list(
        session.execute(
            select(OrganizationMember.user_id).where(
                OrganizationMember.organization_id == organization_id,
                OrganizationMember.role == MemberRole.OWNER,
            )
        ).scalars()
    )


def test_a_new_organisation_has_its_creator_as_owner_and_only_owner_member(session):
    ada = _user(session, "ada")
    org = orgs.create_organization(session, owner_id=ada, name="Ada's Shop", slug="ada")
    assert session.get(Organization, org).owner_id == ada
    assert _owners(session, org) == [ada]
    assert [m.role for m in orgs.members_of(session, org)] == [MemberRole.OWNER]


def test_slugs_are_unique_with_a_clear_error(session):
    ada, bob = _user(session, "ada"), _user(session, "bob")
    orgs.create_organization(session, owner_id=ada, name="Shop", slug="shop")
    with pytest.raises(SlugTaken, match="already used"):
        orgs.create_organization(session, owner_id=bob, name="Shop", slug="shop")


def test_the_database_itself_refuses_a_second_owner_member(session):
    ada, bob = _user(session, "ada"), _user(session, "bob")
    org = orgs.create_organization(
        session, owner_id=ada, name="Shop", slug="shop", plan=PlanType.PRO
    )
    orgs.add_member(session, organization_id=org, user_id=bob)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            text("UPDATE organization_members SET role = 'OWNER' WHERE user_id = :u"), {"u": bob}
        )


def test_ownership_cannot_be_granted_or_taken_by_a_role_change(session):
    ada, bob = _user(session, "ada"), _user(session, "bob")
    org = orgs.create_organization(
        session, owner_id=ada, name="Shop", slug="shop", plan=PlanType.PRO
    )
    orgs.add_member(session, organization_id=org, user_id=bob, role=MemberRole.ADMIN)
    with pytest.raises(OwnershipRuleViolated):
        orgs.change_role(
            session, organization_id=org, actor_id=ada, user_id=bob, role=MemberRole.OWNER
        )
    with pytest.raises(OwnershipRuleViolated):
        orgs.change_role(
            session, organization_id=org, actor_id=bob, user_id=ada, role=MemberRole.MEMBER
        )
    with pytest.raises(OwnershipRuleViolated):
        orgs.add_member(
            session, organization_id=org, user_id=_user(session, "cy"), role=MemberRole.OWNER
        )
    assert _owners(session, org) == [ada]


def test_the_owner_cannot_be_removed_without_a_transfer(session):
    ada, bob = _user(session, "ada"), _user(session, "bob")
    org = orgs.create_organization(
        session, owner_id=ada, name="Shop", slug="shop", plan=PlanType.PRO
    )
    orgs.add_member(session, organization_id=org, user_id=bob, role=MemberRole.ADMIN)
    with pytest.raises(OwnershipRuleViolated, match="transfer ownership"):
        orgs.remove_member(session, organization_id=org, actor_id=bob, user_id=ada)
    with pytest.raises(OwnershipRuleViolated):
        orgs.remove_member(session, organization_id=org, actor_id=ada, user_id=ada)


def test_transfer_moves_ownership_and_keeps_exactly_one_owner(session):
    ada, bob = _user(session, "ada"), _user(session, "bob")
    org = orgs.create_organization(
        session, owner_id=ada, name="Shop", slug="shop", plan=PlanType.PRO
    )
    orgs.add_member(session, organization_id=org, user_id=bob)
    with pytest.raises(PermissionDenied):
        orgs.transfer_ownership(session, organization_id=org, actor_id=bob, new_owner_id=bob)
    orgs.transfer_ownership(session, organization_id=org, actor_id=ada, new_owner_id=bob)
    session.expire_all()
    assert session.get(Organization, org).owner_id == bob
    assert _owners(session, org) == [bob]
    roles = {m.user_id: m.role for m in orgs.members_of(session, org)}
    assert roles == {ada: MemberRole.ADMIN, bob: MemberRole.OWNER}
    # and now the former owner can leave
    orgs.remove_member(session, organization_id=org, actor_id=ada, user_id=ada)
    assert [m.user_id for m in orgs.members_of(session, org)] == [bob]


def test_roles_are_granted_up_to_ones_own_and_members_manage_nobody(session):
    ada, bob, cy, di = (_user(session, n) for n in ("ada", "bob", "cy", "di"))
    org = orgs.create_organization(
        session, owner_id=ada, name="Shop", slug="shop", plan=PlanType.BUSINESS
    )
    orgs.add_member(session, organization_id=org, user_id=bob, role=MemberRole.ADMIN, added_by=ada)
    orgs.add_member(session, organization_id=org, user_id=cy, role=MemberRole.MEMBER, added_by=bob)
    with pytest.raises(PermissionDenied):
        orgs.add_member(session, organization_id=org, user_id=di, added_by=cy)
    with pytest.raises(PermissionDenied):
        orgs.change_role(
            session, organization_id=org, actor_id=cy, user_id=bob, role=MemberRole.MEMBER
        )
    with pytest.raises(PermissionDenied):
        orgs.remove_member(session, organization_id=org, actor_id=cy, user_id=bob)
    orgs.change_role(session, organization_id=org, actor_id=bob, user_id=cy, role=MemberRole.ADMIN)
    with pytest.raises(AlreadyMember):
        orgs.add_member(session, organization_id=org, user_id=cy, added_by=ada)


@pytest.mark.parametrize(
    ("plan", "seats"), [(PlanType.FREE, 1), (PlanType.PRO, 3), (PlanType.BUSINESS, 4)]
)
def test_members_never_exceed_the_plans_seats(session, plan, seats):
    owner = _user(session, "owner")
    org = orgs.create_organization(session, owner_id=owner, name="Shop", slug="shop", plan=plan)
    for n in range(seats - 1):
        orgs.add_member(session, organization_id=org, user_id=_user(session, f"m{n}"))
    with pytest.raises(SeatLimitReached, match=f"has {seats} seat"):
        orgs.add_member(session, organization_id=org, user_id=_user(session, "extra"))
    assert orgs.member_count(session, org) == seats


def test_a_plan_cannot_shrink_below_its_members(session):
    ada, bob = _user(session, "ada"), _user(session, "bob")
    org = orgs.create_organization(
        session, owner_id=ada, name="Shop", slug="shop", plan=PlanType.PRO
    )
    orgs.add_member(session, organization_id=org, user_id=bob)
    with pytest.raises(SeatLimitReached, match="2 members"):
        orgs.change_plan(session, organization_id=org, actor_id=ada, plan=PlanType.FREE)
    with pytest.raises(PermissionDenied):
        orgs.change_plan(session, organization_id=org, actor_id=bob, plan=PlanType.BUSINESS)
    orgs.change_plan(session, organization_id=org, actor_id=ada, plan=PlanType.BUSINESS)


def test_two_additions_racing_for_the_last_seat_admit_exactly_one(engine: Engine):
    """Two apps add a member at the same moment, ten times over: the plan's
    last seat goes to one of them and the other gets the seat error."""
    sessions = session_factory(engine)
    rounds = 10
    setups = []
    with unit_of_work(sessions) as session:
        for n in range(rounds):
            owner = _user(session, f"owner{n}")
            org = orgs.create_organization(
                session, owner_id=owner, name=f"Shop {n}", slug=f"shop-{n}", plan=PlanType.PRO
            )
            orgs.add_member(session, organization_id=org, user_id=_user(session, f"second{n}"))
            setups.append((org, _user(session, f"a{n}"), _user(session, f"b{n}")))

    for org, first, second in setups:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def add(
            user_id: str,
            org: str = org,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                with unit_of_work(sessions) as session:
                    orgs.add_member(session, organization_id=org, user_id=user_id)
                outcomes.append("added")
            except SeatLimitReached:
                outcomes.append("refused")

        threads = [threading.Thread(target=add, args=(u,)) for u in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["added", "refused"]
        with sessions() as session:
            assert orgs.member_count(session, org) == 3
