"""A SNORQ licence: what it says, and the plan a shop is on because of it.

The text a shop is given is ``snorq-licence-v1.<payload>.<signature>``, both
parts base64url without padding.  The payload is JSON naming the organisation
(its id and slug), the plan, its seats, when it was issued and when it ends;
the signature is SNORQ's Ed25519 signature of ``snorq-licence-v1.<payload>``
(checked in secrets/licence.py: the domain knows no cryptography).

Each refusal is one sentence that says what to do.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.plans import PLAN_LIMITS, plan_label, seats_for

PREFIX = "snorq-licence-v1"
WARN_BEFORE = timedelta(days=14)


class LicenceRefused(KnownError):
    """This licence cannot be used here; the sentence says why and what to do."""


@dataclass(frozen=True)
class Licence:
    licence_id: str
    organization_id: str
    organization_slug: str
    plan: PlanType
    seats: int
    issued_at: datetime
    expires_at: datetime
    text: str  # exactly as given, the signature with it

    @property
    def signed_part(self) -> bytes:
        return self.text.rsplit(".", 1)[0].encode()

    @property
    def signature(self) -> bytes:
        return _unbase64(self.text.rsplit(".", 1)[1])


def _unbase64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def encode_part(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_MALFORMED = (
    "This is not a SNORQ licence (it should start with snorq-licence-v1. and was perhaps "
    "not copied whole): paste the whole text SNORQ sent, or open the licence file."
)


def _when(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(value)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_licence(text: str) -> Licence:
    """The licence's fields, or LicenceRefused when the text is not one (its
    signature is not checked here)."""
    compact = "".join(text.split())
    parts = compact.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise LicenceRefused(_MALFORMED)
    try:
        fields = json.loads(_unbase64(parts[1]))
        licence = Licence(
            licence_id=str(fields["licence_id"]),
            organization_id=str(fields["organization_id"]),
            organization_slug=str(fields["organization_slug"]),
            plan=PlanType(fields["plan"]),
            seats=int(fields["seats"]),
            issued_at=_when(fields["issued_at"]),
            expires_at=_when(fields["expires_at"]),
            text=compact,
        )
        _unbase64(parts[2])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise LicenceRefused(_MALFORMED) from None
    if licence.plan is PlanType.FREE or licence.seats != seats_for(licence.plan):
        raise LicenceRefused(_MALFORMED)
    return licence


def licence_payload(
    *,
    licence_id: str,
    organization_id: str,
    organization_slug: str,
    plan: PlanType,
    issued_at: datetime,
    expires_at: datetime,
) -> bytes:
    """The payload SNORQ signs (scripts/licence.py); seats are the plan's."""
    return json.dumps(
        {
            "licence_id": licence_id,
            "organization_id": organization_id,
            "organization_slug": organization_slug,
            "plan": plan.value,
            "seats": seats_for(plan),
            "issued_at": issued_at.isoformat(),
            "expires_at": expires_at.isoformat(),
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def day(moment: datetime) -> str:
    """12 Dec 2026"""
    return f"{moment.day} {moment.strftime('%b %Y')}"


def check_for(
    licence: Licence, *, organization_id: str, slug: str, members: int, now: datetime
) -> None:
    """Refuse a (signed) licence that does not fit this shop now."""
    if licence.organization_id != organization_id:
        raise LicenceRefused(
            f"This licence is for another organisation ({licence.organization_slug}), not "
            f"{slug}: ask SNORQ for a licence for {slug}."
        )
    if licence.expires_at <= now:
        raise LicenceRefused(
            f"This licence ended on {day(licence.expires_at)}: ask SNORQ for a renewed one."
        )
    if members > licence.seats:
        raise LicenceRefused(
            f"This {plan_label(licence.plan)} licence has {licence.seats} seats, and "
            f"{slug} has {members} members: remove {members - licence.seats} member(s) in "
            "Team ▸ Members… first, or ask SNORQ for a plan with more seats."
        )


@dataclass(frozen=True)
class PlanStatus:
    """The plan a shop is on now, and why; what the Plan page and banner show."""

    plan: PlanType  # the rules that apply now
    slug: str  # the organisation's address, which a licence names
    members: int
    licence: Licence | None  # the stored licence, when it verifies
    problem: str | None = None  # the stored licence does not verify, or it ended
    warning: str | None = None  # it ends within 14 days

    @property
    def seats(self) -> int:
        return seats_for(self.plan)

    @property
    def history(self) -> str:
        days = PLAN_LIMITS[self.plan].history_days
        return "all of it" if days is None else f"the last {days} days"

    @property
    def api_access(self) -> bool:
        return PLAN_LIMITS[self.plan].api_access

    @property
    def banner(self) -> str | None:
        return self.warning or self.problem


def status_of(
    column_plan: PlanType,
    slug: str,
    members: int,
    licence: Licence | None,
    *,
    stored: bool,
    verified: bool,
    now: datetime,
) -> PlanStatus:
    """``column_plan``: organizations.plan; ``stored``: a licence is stored;
    ``licence``: it, when it reads as one; ``verified``: its signature is
    SNORQ's and it names this shop."""
    if not stored:
        # No licence: FREE, or a plan set by the database's administrator.
        return PlanStatus(column_plan, slug, members, None)
    if licence is None or not verified:
        name = plan_label(licence.plan if licence else column_plan)
        return PlanStatus(
            PlanType.FREE,
            slug,
            members,
            None,
            problem=f"The stored {name} licence does not carry SNORQ's signature, so the "
            "Free plan's rules apply: the owner can enter the licence SNORQ sent in "
            "Team ▸ Plan….",
        )
    name = plan_label(licence.plan)
    if licence.expires_at <= now:
        return PlanStatus(
            PlanType.FREE,
            slug,
            members,
            licence,
            problem=f"Your {name} licence ended on {day(licence.expires_at)}; the Free plan's "
            "rules apply (members keep reading, no new invites, 30 days of history). Nothing "
            "was deleted: enter a renewed licence in Team ▸ Plan… to go back.",
        )
    warning = None
    if licence.expires_at - now <= WARN_BEFORE:
        warning = (
            f"Your {name} licence ends on {day(licence.expires_at)}; after that the Free "
            "plan's rules apply (1 seat, 30 days of history). Enter a renewed licence in "
            "Team ▸ Plan… before then."
        )
    return PlanStatus(licence.plan, slug, members, licence, warning=warning)


def plan_rows() -> list[tuple[str, str, str, str]]:
    """(plan, seats, history, API) for each plan, for the Plan page's table."""
    rows = []
    for plan, limits in PLAN_LIMITS.items():
        history = "unlimited" if limits.history_days is None else f"{limits.history_days} days"
        rows.append(
            (plan_label(plan), str(limits.seats), history, "yes" if limits.api_access else "no")
        )
    return rows
