from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.domain.ids import looks_like_id, new_id
from snorq_desktop.domain.plans import PLAN_LIMITS, seats_for
from snorq_desktop.domain.roles import can_grant, can_manage_members


def test_ids_are_cuid_shaped_unique_and_roughly_time_ordered():
    ids = [new_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    assert all(looks_like_id(i) for i in ids)
    assert ids[0][1:9] <= ids[-1][1:9]


def test_plans_match_the_seed():
    assert [seats_for(p) for p in PlanType] == [1, 3, 4]
    assert PLAN_LIMITS[PlanType.FREE].history_days == 30
    assert PLAN_LIMITS[PlanType.PRO].history_days is None
    assert [PLAN_LIMITS[p].api_access for p in PlanType] == [False, False, True]


def test_roles():
    assert not can_manage_members(MemberRole.MEMBER)
    assert can_grant(MemberRole.ADMIN, MemberRole.ADMIN)
    assert not can_grant(MemberRole.ADMIN, MemberRole.OWNER)
    assert not can_grant(MemberRole.OWNER, MemberRole.OWNER)
    assert not can_grant(MemberRole.MEMBER, MemberRole.MEMBER)
