"""Signed-in users, onboarding and invites on real PostgreSQL, through the
service the window and the command line use."""

import threading
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select, text

from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.domain.errors import (
    AlreadyMember,
    InviteInvalid,
    KnownError,
    PermissionDenied,
    SeatLimitReached,
    SignInFailed,
    SlugTaken,
)
from snorq_desktop.domain.identity import Identity
from snorq_desktop.secrets.invite_code import InviteCode, TeamAddress
from snorq_desktop.secrets.keys import KeychainKeyStore, KeySet
from snorq_desktop.services.team import TeamService
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.models import Invite, User
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.store.users import GoogleProfile
from tests.keychain import MemoryKeychain

ADDRESS = TeamAddress(
    host="db.example.com", port=5432, database="shop", sslmode="verify-full", user="snorq"
)


def profile(name: str, *, google_id: str | None = None, verified: bool = True) -> GoogleProfile:
    return GoogleProfile(
        google_id=google_id or f"g-{name}",
        email=f"{name}@example.com",
        email_verified=verified,
        name=name.title(),
        avatar_url=f"https://example.com/{name}.png",
    )


@pytest.fixture
def service(engine: Engine) -> TeamService:
    return TeamService(
        session_factory(engine), address=ADDRESS, key_store=KeychainKeyStore(MemoryKeychain())
    )


def owner_of_a_shop(service: TeamService, plan: PlanType = PlanType.PRO) -> Identity:
    user_id, _ = service.signed_in(profile("maya"))
    identity = service.create_organization(user_id, "Maya's Shop", "maya")
    with unit_of_work(service._sessions) as session:
        orgs.change_plan(
            session, organization_id=identity.organization_id, actor_id=user_id, plan=plan
        )
    return identity


# --- the users row ----------------------------------------------------------------


def test_a_first_sign_in_creates_the_user_from_the_token(service, engine):
    user_id, identity = service.signed_in(profile("maya"))
    assert identity is None  # onboarding comes next
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT email, name, avatar_url, google_id FROM users WHERE id = :id"),
            {"id": user_id},
        ).one()
    assert tuple(row) == ("maya@example.com", "Maya", "https://example.com/maya.png", "g-maya")


def test_a_returning_person_is_found_by_google_id_even_with_a_new_email(service):
    first, _ = service.signed_in(profile("maya"))
    renamed = GoogleProfile("g-maya", "maya.okafor@example.com", True, "Maya O.", None)
    again, _ = service.signed_in(renamed)
    assert again == first
    with service._sessions() as session:
        user = session.get(User, first)
        assert user is not None
        assert (user.email, user.name, user.avatar_url) == (
            "maya.okafor@example.com",
            "Maya O.",
            "https://example.com/maya.png",
        )


def test_a_person_added_before_signing_in_is_found_by_email_and_gets_the_google_id(service):
    with unit_of_work(service._sessions) as session:
        added = orgs.create_user(session, email="Ben@Example.com", name="Ben")
    found, _ = service.signed_in(profile("ben"))
    assert found == added
    with service._sessions() as session:
        assert session.execute(select(User.google_id).where(User.id == added)).scalar() == "g-ben"


def test_an_unverified_email_never_takes_over_an_existing_row(service):
    with unit_of_work(service._sessions) as session:
        orgs.create_user(session, email="ben@example.com", name="Ben")
    with pytest.raises(SignInFailed, match="not verified"):
        service.signed_in(profile("ben", google_id="g-impostor", verified=False))


def test_an_email_owned_by_another_google_account_is_refused(service):
    service.signed_in(profile("ben"))
    with pytest.raises(SignInFailed, match="another Google account"):
        service.signed_in(profile("ben", google_id="g-someone-else"))


# --- onboarding -----------------------------------------------------------------------


def test_creating_an_organisation_makes_the_person_its_owner(service):
    identity = owner_of_a_shop(service)
    team = service.team(identity)
    assert team.my_role is MemberRole.OWNER
    assert [(m.email, m.role) for m in team.members] == [("maya@example.com", MemberRole.OWNER)]


def test_a_slug_is_proposed_from_the_name_and_the_next_free_one_on_a_clash(service):
    assert service.propose_slug("Maya's Shop ☀") == "maya-s-shop"
    owner_of_a_shop(service)  # takes "maya"
    assert service.propose_slug("Maya") == "maya-2"
    ben, _ = service.signed_in(profile("ben"))
    with pytest.raises(SlugTaken, match="'maya' is taken; 'maya-2' is free"):
        service.create_organization(ben, "Maya", "maya")
    with pytest.raises(KnownError, match="lower-case letters"):
        service.create_organization(ben, "Maya", "Maya Shop")


# --- invites ------------------------------------------------------------------------


def test_an_invite_code_joins_the_invited_person_with_the_teams_token_keys(engine):
    owner_keys = KeychainKeyStore(MemoryKeychain())
    owner_service = TeamService(session_factory(engine), address=ADDRESS, key_store=owner_keys)
    identity = owner_of_a_shop(owner_service)
    code = owner_service.invite(identity, "Ben@example.com", MemberRole.ADMIN)

    parsed = InviteCode.parse(code)
    # The code names the login the database made for Ben (migration 0013).
    assert parsed.opens_own_login and parsed.address.user != ADDRESS.user
    assert replace(parsed.address, user=ADDRESS.user) == ADDRESS
    assert parsed.organization_name == "Maya's Shop"
    assert "password" not in code
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT code_hash, sealed_keys FROM invites")).one()
    assert parsed.secret.hex() not in stored.code_hash and stored.sealed_keys is not None
    # The database alone does not hold the key: the sealed keys are not the key's bytes.
    team_key = owner_keys.load()
    assert team_key is not None and team_key.current_key not in stored.sealed_keys

    member_keys = KeychainKeyStore(MemoryKeychain())
    mine = KeySet.fresh()
    member_keys.save(mine)
    member_service = TeamService(session_factory(engine), key_store=member_keys)
    joined = member_service.join(parsed, profile("ben"))
    assert joined.organization_id == identity.organization_id
    merged = member_keys.load()
    assert merged is not None and merged.current == team_key.current
    assert merged.keys[team_key.current] == team_key.current_key
    assert merged.keys[mine.current] == mine.current_key  # its own tokens still open
    roles = {m.email: m.role for m in owner_service.team(identity).members}
    assert roles == {"maya@example.com": MemberRole.OWNER, "ben@example.com": MemberRole.ADMIN}
    with engine.connect() as connection:
        used = connection.execute(text("SELECT used_at, used_by, sealed_keys FROM invites")).one()
    assert used.used_at is not None and used.sealed_keys is None


def test_an_invite_works_once(service):
    identity = owner_of_a_shop(service)
    code = InviteCode.parse(service.invite(identity, "ben@example.com", MemberRole.MEMBER))
    service.join(code, profile("ben"))
    with pytest.raises(InviteInvalid, match="already been used"):
        service.join(code, profile("ben"))


def test_an_expired_invite_is_refused(service, engine):
    identity = owner_of_a_shop(service)
    code = InviteCode.parse(service.invite(identity, "ben@example.com", MemberRole.MEMBER))
    with engine.begin() as connection:
        connection.execute(text("UPDATE invites SET expires_at = now() - interval '1 second'"))
    with pytest.raises(InviteInvalid, match="expired on"):
        service.join(code, profile("ben"))
    assert [m.email for m in service.team(identity).members] == ["maya@example.com"]


def test_an_invite_is_only_for_the_address_it_was_made_for(service):
    identity = owner_of_a_shop(service)
    code = InviteCode.parse(service.invite(identity, "ben@example.com", MemberRole.MEMBER))
    wrong_person = r"is for ben@example\.com, but you are signed in as eve"
    with pytest.raises(InviteInvalid, match=wrong_person):
        service.join(code, profile("eve"))
    service.join(code, profile("ben"))  # still usable by the right person


def test_a_made_up_or_damaged_code_is_one_sentence(service):
    identity = owner_of_a_shop(service)
    with pytest.raises(InviteInvalid, match="not a SNORQ Desktop invite code"):
        InviteCode.parse("hello")
    real = InviteCode.parse(service.invite(identity, "ben@example.com", MemberRole.MEMBER))
    forged = InviteCode(real.invite_id, real.organization_id, "x", ADDRESS, b"\0" * 32)
    with pytest.raises(InviteInvalid, match="not known to the team database"):
        service.join(forged, profile("ben"))


def test_invites_never_grant_above_the_inviters_role(service):
    identity = owner_of_a_shop(service)
    with pytest.raises(PermissionDenied, match="OWNER"):
        service.invite(identity, "ben@example.com", MemberRole.OWNER)
    service.join(
        InviteCode.parse(service.invite(identity, "ben@example.com", MemberRole.MEMBER)),
        profile("ben"),
    )
    ben, ben_identity = service.signed_in(profile("ben"))
    assert ben_identity is not None
    with pytest.raises(PermissionDenied, match="Only an owner or an admin"):
        service.invite(ben_identity, "eve@example.com", MemberRole.MEMBER)
    service.change_role(identity, ben, MemberRole.ADMIN)
    with pytest.raises(PermissionDenied, match=r"ADMIN.*OWNER"):
        service.invite(ben_identity, "eve@example.com", MemberRole.OWNER)
    service.invite(ben_identity, "eve@example.com", MemberRole.ADMIN)  # up to their own


def test_seats_count_pending_invites_at_creation(service):
    identity = owner_of_a_shop(service, PlanType.PRO)  # 3 seats: Maya + 2
    service.invite(identity, "ben@example.com", MemberRole.MEMBER)
    service.invite(identity, "eve@example.com", MemberRole.MEMBER)
    with pytest.raises(SeatLimitReached, match="pending invites"):
        service.invite(identity, "zoe@example.com", MemberRole.MEMBER)
    # Inviting the same address again replaces its pending invite, using no new seat.
    service.invite(identity, "eve@example.com", MemberRole.ADMIN)
    assert sorted((i.email, i.role) for i in service.team(identity).invites) == [
        ("ben@example.com", MemberRole.MEMBER),
        ("eve@example.com", MemberRole.ADMIN),
    ]
    # An expired invite frees its seat.
    with unit_of_work(service._sessions) as session:
        session.execute(
            text(
                "UPDATE invites SET expires_at = now() - interval '1 second' "
                "WHERE email = 'ben@example.com'"
            )
        )
    service.invite(identity, "zoe@example.com", MemberRole.MEMBER)


def test_seats_are_checked_again_when_the_invite_is_used(service, engine):
    identity = owner_of_a_shop(service, PlanType.PRO)
    code = InviteCode.parse(service.invite(identity, "ben@example.com", MemberRole.MEMBER))
    with unit_of_work(service._sessions) as session:  # the plan shrank meanwhile
        session.execute(text("UPDATE organizations SET plan = 'FREE'"))
    with pytest.raises(SeatLimitReached):
        service.join(code, profile("ben"))
    with engine.connect() as connection:  # nothing half-done: the invite is still unused
        assert connection.execute(text("SELECT used_at FROM invites")).scalar() is None


def test_two_people_racing_for_the_last_seat_with_invites_admit_exactly_one(service, engine):
    identity = owner_of_a_shop(service, PlanType.PRO)
    codes = [
        InviteCode.parse(service.invite(identity, f"{n}@example.com", MemberRole.MEMBER))
        for n in ("ben", "eve")
    ]
    with unit_of_work(service._sessions) as session:  # someone joined another way meanwhile
        zoe = orgs.create_user(session, email="zoe@example.com")
        orgs.add_member(session, organization_id=identity.organization_id, user_id=zoe)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def join(code: InviteCode, name: str) -> None:
        start.wait()
        try:
            service.join(code, profile(name))
            outcomes.append("joined")
        except SeatLimitReached:
            outcomes.append("full")

    threads = [
        threading.Thread(target=join, args=(c, n))
        for c, n in zip(codes, ("ben", "eve"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full", "joined"]
    assert len(service.team(identity).members) == 3


def test_an_existing_member_cannot_be_invited(service):
    identity = owner_of_a_shop(service)
    with pytest.raises(AlreadyMember):
        service.invite(identity, "maya@example.com", MemberRole.MEMBER)


def test_a_built_in_database_cannot_invite(engine):
    service = TeamService(session_factory(engine))
    identity = owner_of_a_shop(service)
    with pytest.raises(KnownError, match="team database"):
        service.invite(identity, "ben@example.com", MemberRole.MEMBER)


def test_a_cancelled_invite_no_longer_works(service):
    identity = owner_of_a_shop(service)
    code = InviteCode.parse(service.invite(identity, "ben@example.com", MemberRole.MEMBER))
    [pending] = service.team(identity).invites
    service.cancel_invite(identity, pending.id)
    with pytest.raises(InviteInvalid, match="not known"):
        service.join(code, profile("ben"))


def test_deleting_the_organisation_deletes_its_invites(service, engine):
    identity = owner_of_a_shop(service)
    service.invite(identity, "ben@example.com", MemberRole.MEMBER)
    with unit_of_work(service._sessions) as session:
        orgs.delete_organization(
            session, organization_id=identity.organization_id, actor_id=identity.user_id
        )
        assert session.execute(select(Invite)).first() is None


# --- members, through the service -----------------------------------------------


def test_members_rules_through_the_service(service):
    identity = owner_of_a_shop(service, PlanType.BUSINESS)
    for name, role in (("ben", MemberRole.ADMIN), ("eve", MemberRole.MEMBER)):
        service.join(
            InviteCode.parse(service.invite(identity, f"{name}@example.com", role)), profile(name)
        )
    ben, ben_identity = service.signed_in(profile("ben"))
    eve, eve_identity = service.signed_in(profile("eve"))
    assert ben_identity and eve_identity
    with pytest.raises(PermissionDenied):  # a MEMBER manages nobody
        service.remove(eve_identity, ben)
    with pytest.raises(PermissionDenied):
        service.change_role(eve_identity, eve, MemberRole.ADMIN)
    with pytest.raises(PermissionDenied, match="Only the owner"):
        service.transfer_ownership(ben_identity, eve)
    service.change_role(ben_identity, eve, MemberRole.ADMIN)  # up to their own
    service.remove(ben_identity, eve)
    service.transfer_ownership(identity, ben)
    team = service.team(identity)
    assert {m.email: m.role for m in team.members} == {
        "maya@example.com": MemberRole.ADMIN,
        "ben@example.com": MemberRole.OWNER,
    }
    assert team.owner_id == ben and team.my_role is MemberRole.ADMIN


def test_a_person_already_in_an_organisation_makes_no_second_one(service):
    """`team create --name "Other Shop"` by Maya made a second organisation the
    app never opens, and said "Created Maya's Shop"."""
    maya = owner_of_a_shop(service)
    with pytest.raises(KnownError, match=r"already in Maya.s Shop; .* no other was made"):
        service.create_organization(maya.user_id, "Other Shop", "other-shop")
    with unit_of_work(service._sessions) as session:
        assert session.scalar(text("SELECT count(*) FROM organizations")) == 1
