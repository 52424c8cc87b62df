"""The team's licences (migration 0016): entering one through the database's
snorq_activate_licence, and reading the newest one and the plan column, which
every app checks again (services/plan.py)."""

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.store.models import Organization, OrganizationMember, StoredLicence
from snorq_desktop.store.rules import call_rule


@dataclass(frozen=True)
class PlanRow:
    plan: PlanType  # organizations.plan
    slug: str
    members: int
    licence_text: str | None  # the newest licence entered


def plan_row(session: Session, organization_id: str) -> PlanRow:
    organization = session.execute(
        select(Organization.plan, Organization.slug).where(Organization.id == organization_id)
    ).one()
    members = session.execute(
        select(func.count())
        .select_from(OrganizationMember)
        .where(OrganizationMember.organization_id == organization_id)
    ).scalar_one()
    newest = session.execute(
        select(StoredLicence.text)
        .where(StoredLicence.organization_id == organization_id)
        .order_by(StoredLicence.activated_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return PlanRow(organization.plan, organization.slug, members, newest)


def activate(
    session: Session, *, organization_id: str, actor_id: str, licence_text: str
) -> PlanType:
    """Store the licence and set the plan (the database checks all but the
    signature, which the caller checked)."""
    row = call_rule(
        session,
        "SELECT snorq_activate_licence(:actor, :org, :licence)::text",
        actor=actor_id,
        org=organization_id,
        licence=licence_text,
    )
    return PlanType(row[0])


def lapse(session: Session, organization_id: str) -> PlanType:
    """The column follows an ended licence (FREE); the plan it now holds."""
    return PlanType(
        session.execute(
            text("SELECT snorq_lapse_licence(:org)::text"), {"org": organization_id}
        ).scalar_one()
    )
