"""What each plan allows (the seed's PlanType table)."""

from dataclasses import dataclass

from snorq_desktop.domain.enums import PlanType


@dataclass(frozen=True)
class PlanLimits:
    seats: int
    history_days: int | None  # None: history is kept for ever
    api_access: bool


PLAN_LIMITS: dict[PlanType, PlanLimits] = {
    PlanType.FREE: PlanLimits(seats=1, history_days=30, api_access=False),
    PlanType.PRO: PlanLimits(seats=3, history_days=None, api_access=False),
    PlanType.BUSINESS: PlanLimits(seats=4, history_days=None, api_access=True),
}


def seats_for(plan: PlanType) -> int:
    return PLAN_LIMITS[plan].seats


def plan_label(plan: PlanType) -> str:
    return {PlanType.FREE: "Free", PlanType.PRO: "Pro", PlanType.BUSINESS: "Business"}[plan]
