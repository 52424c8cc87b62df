"""Team ▸ Plan… and ``snorq-desktop plan``: the plan a shop is on, from the
licence stored in the team database, checked here against SNORQ's public key
on every read (so a stored licence that is not SNORQ's counts as none), and
entering a new licence (the owner's)."""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.errors import SeatLimitReached
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.licence import (
    LicenceRefused,
    PlanStatus,
    check_for,
    parse_licence,
    status_of,
)
from snorq_desktop.domain.plans import plan_label
from snorq_desktop.secrets.licence import LicenceKeys
from snorq_desktop.store import licences
from snorq_desktop.store.unit_of_work import unit_of_work


def _now() -> datetime:
    return datetime.now(UTC)


class PlanService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        keys: LicenceKeys,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._sessions = sessions
        self._keys = keys
        self._clock = clock

    def status(self, organization_id: str) -> PlanStatus:
        with unit_of_work(self._sessions) as session:
            row = licences.plan_row(session, organization_id)
            licence, verified = None, False
            if row.licence_text is not None:
                try:
                    licence = parse_licence(row.licence_text)
                except LicenceRefused:
                    licence = None
                else:
                    verified = (
                        self._keys.signed(licence) and licence.organization_id == organization_id
                    )
            status = status_of(
                row.plan,
                row.slug,
                row.members,
                licence,
                stored=row.licence_text is not None,
                verified=verified,
                now=self._clock(),
            )
            if status.plan is PlanType.FREE and row.plan is not PlanType.FREE and verified:
                # Ended: the column follows, so the history rules start (nothing deleted).
                licences.lapse(session, organization_id)
            return status

    def activate(self, identity: Identity, text: str) -> PlanStatus:
        """Check the licence (signature, organisation, end, seats), then store it
        for the whole team; LicenceRefused or SeatLimitReached with the sentence."""
        licence = self._keys.read(text)
        with unit_of_work(self._sessions) as session:
            row = licences.plan_row(session, identity.organization_id)
            check_for(
                licence,
                organization_id=identity.organization_id,
                slug=row.slug,
                members=row.members,
                now=self._clock(),
            )
            licences.activate(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                licence_text=licence.text,
            )
        return self.status(identity.organization_id)

    def check_invite(self, organization_id: str, pending_invites: int) -> None:
        """Refuse an invite the plan in force has no seat for when the stored
        licence does not verify or has ended (otherwise the database's own seat
        check, the same rule, decides)."""
        status = self.status(organization_id)
        if status.problem is not None and status.members + pending_invites >= status.seats:
            why = f" {status.problem}" if status.problem else ""
            raise SeatLimitReached(
                f"The {plan_label(status.plan)} plan has {status.seats} seat(s), and all are "
                f"taken by members or pending invites.{why} Upgrade the plan in Team ▸ Plan…, "
                "or remove a member or an invite first."
            )
