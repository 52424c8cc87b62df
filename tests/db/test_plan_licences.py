"""Licences on a real team database (#20): entering one, each refusal, the seats
that follow, a forged row, and the gentle end (banner, then the Free rules,
nothing deleted).  Each test signs with a key pair of its own."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.domain.errors import PermissionDenied, SeatLimitReached
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.licence import LicenceRefused, encode_part
from snorq_desktop.secrets.invite_code import TeamAddress
from snorq_desktop.secrets.licence import LicenceKeys, issue_licence
from snorq_desktop.services.plan import PlanService
from snorq_desktop.services.team import TeamService
from snorq_desktop.store import licences
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.maintenance import purge_history
from tests.history import History

ADDRESS = TeamAddress(host="db.example.com", port=5432, database="shop", sslmode=None, user="x")
KEY = Ed25519PrivateKey.generate()


class Team:
    def __init__(self, engine: Engine, plan: PlanType = PlanType.FREE) -> None:
        self.history = History.shop(engine, plan, slug="mayas-shop")
        self.sessions = session_factory(engine)
        self.plan = PlanService(self.sessions, LicenceKeys(KEY.public_key()))
        self.team = TeamService(self.sessions, address=ADDRESS, plan=self.plan)
        self.identity = Identity(
            self.history.organization_id, "Maya's Shop", self.history.owner_id, "Maya"
        )

    def licence(self, plan: PlanType = PlanType.PRO, **options: object) -> str:
        return issue_licence(
            options.pop("key", KEY),  # type: ignore[arg-type]
            organization_id=str(options.pop("organization_id", self.history.organization_id)),
            organization_slug=str(options.pop("slug", "mayas-shop")),
            plan=plan,
            **options,  # type: ignore[arg-type]
        )

    def column(self) -> str:
        return str(self.history.scalar("SELECT plan::text FROM organizations"))

    def stored(self) -> int:
        return int(self.history.scalar("SELECT count(*) FROM licences"))

    def invite(self, n: int) -> str:
        return self.team.invite(self.identity, f"helper{n}@example.com", MemberRole.MEMBER)


def test_the_owner_enters_a_licence_and_the_seats_follow_it(engine: Engine) -> None:
    shop = Team(engine)
    with pytest.raises(SeatLimitReached, match="Free plan has 1 seat") as full:
        shop.invite(1)
    assert full.value.sentence.endswith("Plans and licences: Team ▸ Plan….")
    status = shop.plan.activate(shop.identity, shop.licence(PlanType.PRO))
    assert (status.plan, status.seats, status.members) == (PlanType.PRO, 3, 1)
    assert status.licence is not None and status.problem is None and status.warning is None
    assert (shop.column(), shop.stored()) == ("PRO", 1)
    shop.invite(1)
    shop.invite(2)  # three seats: the owner and two invites
    with pytest.raises(SeatLimitReached, match="Pro plan has 3 seat"):
        shop.invite(3)
    # Upgrading again, to Business: the fourth seat opens at once.
    shop.plan.activate(shop.identity, shop.licence(PlanType.BUSINESS))
    shop.invite(3)
    assert shop.plan.status(shop.identity.organization_id).api_access is True


def _refusal(shop: Team, text: str) -> str:
    with pytest.raises(LicenceRefused) as refused:
        shop.plan.activate(shop.identity, text)
    assert (shop.column(), shop.stored()) == ("FREE", 0)  # nothing written half-way
    return refused.value.sentence


def test_each_refusal_is_one_sentence_and_writes_nothing(engine: Engine) -> None:
    shop = Team(engine)
    good = shop.licence()
    assert "not a SNORQ licence" in _refusal(shop, "hello")
    assert "not a SNORQ licence" in _refusal(shop, good[:40])  # not copied whole
    # Pro made Business by hand: the payload reads, the signature no longer matches.
    prefix, payload, signature = good.split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    fields.update(plan="BUSINESS", seats=4)
    changed = encode_part(json.dumps(fields).encode())
    assert "signature does not match" in _refusal(shop, f"{prefix}.{changed}.{signature}")
    other_key = shop.licence(key=Ed25519PrivateKey.generate())
    assert "signature does not match" in _refusal(shop, other_key)
    elsewhere = shop.licence(organization_id="c-someone-else", slug="leos-shop")
    assert _refusal(shop, elsewhere) == (
        "This licence is for another organisation (leos-shop), not mayas-shop: ask SNORQ "
        "for a licence for mayas-shop."
    )
    ended = shop.licence(
        issued_at=datetime(2025, 1, 1, tzinfo=UTC), expires_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert _refusal(shop, ended) == (
        "This licence ended on 1 Jan 2026: ask SNORQ for a renewed one."
    )
    # Pasted with the line breaks a mail program adds, it still reads.
    wrapped = "\n".join(good[i : i + 60] for i in range(0, len(good), 60))
    assert shop.plan.activate(shop.identity, f"  {wrapped}\n").plan is PlanType.PRO


def test_a_licence_with_fewer_seats_than_members_says_what_to_do(engine: Engine) -> None:
    shop = Team(engine, PlanType.BUSINESS)  # set by the database's administrator
    with unit_of_work(shop.sessions) as session:
        for n in range(3):
            user = orgs.create_user(session, email=f"m{n}@example.com")
            orgs.add_member(session, organization_id=shop.identity.organization_id, user_id=user)
    with pytest.raises(LicenceRefused) as refused:
        shop.plan.activate(shop.identity, shop.licence(PlanType.PRO))
    assert refused.value.sentence == (
        "This Pro licence has 3 seats, and mayas-shop has 4 members: remove 1 member(s) in "
        "Team ▸ Members… first, or ask SNORQ for a plan with more seats."
    )
    assert (shop.column(), shop.stored()) == ("BUSINESS", 0)


def test_only_the_owner_enters_a_licence(engine: Engine) -> None:
    shop = Team(engine, PlanType.PRO)
    with unit_of_work(shop.sessions) as session:
        leo = orgs.create_user(session, email="leo@example.com")
        orgs.add_member(session, organization_id=shop.identity.organization_id, user_id=leo)
        orgs.change_role(
            session,
            organization_id=shop.identity.organization_id,
            actor_id=shop.identity.user_id,
            user_id=leo,
            role=MemberRole.ADMIN,
        )
    admin = Identity(shop.identity.organization_id, "Maya's Shop", leo, "Leo")
    with pytest.raises(PermissionDenied, match="Only the owner can enter a licence"):
        shop.plan.activate(admin, shop.licence(PlanType.BUSINESS))
    assert shop.stored() == 0


def test_a_licence_row_not_signed_by_snorq_gains_nothing_in_the_app(engine: Engine) -> None:
    """An owner with a hand-made client can store an unsigned licence (the database
    cannot check Ed25519); every app then applies the Free rules and says why."""
    shop = Team(engine)
    forged = shop.licence(PlanType.BUSINESS, key=Ed25519PrivateKey.generate())
    with unit_of_work(shop.sessions) as session:
        licences.activate(
            session,
            organization_id=shop.identity.organization_id,
            actor_id=shop.identity.user_id,
            licence_text=forged,
        )
    assert shop.column() == "BUSINESS"
    status = shop.plan.status(shop.identity.organization_id)
    assert status.plan is PlanType.FREE and status.seats == 1
    assert status.problem is not None and "does not carry SNORQ's signature" in status.problem
    with pytest.raises(SeatLimitReached, match="does not carry SNORQ's signature"):
        shop.invite(1)


def test_a_licence_ends_gently(engine: Engine) -> None:
    shop = Team(engine)
    chat = shop.history.conversation()
    old = shop.history.old_message(chat, "INBOUND", "40 days")
    soon = datetime.now(UTC) + timedelta(days=10)
    status = shop.plan.activate(shop.identity, shop.licence(expires_at=soon))
    assert status.plan is PlanType.PRO
    assert status.banner == (
        f"Your Pro licence ends on {soon.day} {soon.strftime('%b %Y')}; after that the Free "
        "plan's rules apply (1 seat, 30 days of history). Enter a renewed licence in "
        "Team ▸ Plan… before then."
    )
    # A licence that ends in a moment, and its helper's invite made meanwhile.
    ends = datetime.now(UTC) + timedelta(seconds=2)
    shop.plan.activate(shop.identity, shop.licence(expires_at=ends))
    shop.invite(1)
    while datetime.now(UTC) <= ends:
        time.sleep(0.2)
    # The database's seat rule treats it as FREE at once, before any app looks.
    assert shop.column() == "PRO"
    with pytest.raises(SeatLimitReached, match="Free plan has 1 seat"):
        shop.invite(2)
    status = shop.plan.status(shop.identity.organization_id)
    assert status.plan is PlanType.FREE
    assert status.problem is not None and status.problem.startswith("Your Pro licence ended on")
    assert "Nothing was deleted" in status.problem
    # The column follows; the licence, the messages and the pending invite all stay.
    assert (shop.column(), shop.stored()) == ("FREE", 2)
    assert shop.history.scalar("SELECT count(*) FROM messages WHERE id = :id", id=old) == 1
    assert shop.history.scalar("SELECT count(*) FROM invites") == 1
    # The 30-day history rule starts as on any FREE shop: a warning, then a week of grace.
    assert purge_history(engine, shop.sessions).messages == 0
    assert shop.history.scalar("SELECT warned_at IS NOT NULL FROM history_retention")
    assert shop.history.scalar("SELECT count(*) FROM messages WHERE id = :id", id=old) == 1
    # A renewed licence puts the plan back.
    renewed = shop.plan.activate(shop.identity, shop.licence())
    assert (renewed.plan, renewed.problem, shop.column()) == (PlanType.PRO, None, "PRO")


def test_an_ended_licence_lapses_in_the_history_pass_too(engine: Engine) -> None:
    """No app opened the Plan page: the maintenance pass lowers the column itself."""
    shop = Team(engine)
    ends = datetime.now(UTC) + timedelta(seconds=1)
    shop.plan.activate(shop.identity, shop.licence(expires_at=ends))
    while datetime.now(UTC) <= ends:
        time.sleep(0.2)
    assert shop.column() == "PRO"
    purge_history(engine, shop.sessions)
    assert shop.column() == "FREE"
