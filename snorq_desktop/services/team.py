"""Accounts and the team, for the window and the command line: the signed-in
person's row, onboarding (a new organisation, or an invite), members and
invites.  Each call is one transaction; the rules live in the store."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import InviteInvalid, KnownError, SeatLimitReached, SlugTaken
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.ids import new_id
from snorq_desktop.secrets.invite_code import InviteCode, TeamAddress, merge_keys
from snorq_desktop.secrets.keys import KeyStore, load_or_create
from snorq_desktop.secrets.member_login import scram_verifier
from snorq_desktop.services.plan import PlanService
from snorq_desktop.store import invites
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.invites import PendingInvite
from snorq_desktop.store.organizations import MemberView
from snorq_desktop.store.slugs import SLUG_PATTERN, free_slug
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.store.users import GoogleProfile, identity_of, user_for_google_account

INVITE_LIFETIME = timedelta(days=7)


@contextmanager
def _pointing_to_the_plan_page() -> Iterator[None]:
    """The database's seat refusal, with where a plan is upgraded."""
    try:
        yield
    except SeatLimitReached as full:
        raise SeatLimitReached(f"{full.sentence} Plans and licences: Team ▸ Plan….") from None


NO_TEAM_DATABASE = (
    "Invites need a team database: the built-in one lives on this computer only. "
    "Move to a team database first (Team ▸ Database…)."
)


@dataclass(frozen=True)
class Team:
    """What the members page shows."""

    members: list[MemberView]
    invites: list[PendingInvite]
    my_role: MemberRole | None
    owner_id: str


class TeamService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        address: TeamAddress | None = None,
        key_store: KeyStore | None = None,
        plan: PlanService | None = None,
    ) -> None:
        """``address``: the team database as invite codes name it (None: a built-in
        database, which no one else can reach).  ``key_store``: this computer's
        token keys, sealed into invites and extended when joining.  ``plan``:
        checks the stored licence's signature before an invite takes a seat."""
        self._sessions = sessions
        self._plan = plan
        self._address = address
        self._key_store = key_store

    # --- who ------------------------------------------------------------------

    def signed_in(self, profile: GoogleProfile) -> tuple[str, Identity | None]:
        """The person's user id (found or made) and their organisation, if any."""
        with unit_of_work(self._sessions) as session:
            user_id = user_for_google_account(session, profile)
            return user_id, identity_of(session, user_id)

    # --- onboarding -----------------------------------------------------------

    def propose_slug(self, name: str) -> str:
        with self._sessions() as session:
            return free_slug(session, name)

    def create_organization(self, user_id: str, name: str, slug: str) -> Identity:
        if not name.strip():
            raise KnownError("Give the organisation a name.")
        if not SLUG_PATTERN.match(slug):
            raise KnownError(
                "The address may hold lower-case letters, digits and single dashes only."
            )
        try:
            with unit_of_work(self._sessions) as session:
                if (already := identity_of(session, user_id)) is not None:
                    # The app opens a person's first organisation only: a second
                    # one would be made, then never shown (and the sentence
                    # would name the first).
                    raise KnownError(
                        f"You are already in {already.organization_name}; SNORQ Desktop "
                        "opens one organisation per person, so no other was made."
                    )
                orgs.create_organization(session, owner_id=user_id, name=name, slug=slug)
                identity = identity_of(session, user_id)
        except SlugTaken:
            raise SlugTaken(
                f"The address '{slug}' is taken; '{self.propose_slug(slug)}' is free."
            ) from None
        assert identity is not None
        return identity

    def join(
        self, code: InviteCode, profile: GoogleProfile, *, new_login_password: str | None = None
    ) -> Identity:
        """Use the invite in this (the team's) database; the team's token keys
        join this computer's before the membership is committed.

        ``new_login_password``: this app is logged in as the invite's own login
        (the code opened it), whose password becomes this one; the database finds
        or makes the person's row.  Otherwise the app's login names the user."""
        with unit_of_work(self._sessions) as session:
            if new_login_password is not None:
                redeemed = invites.redeem_invite(
                    session,
                    code_hash=code.code_hash,
                    profile=profile,
                    new_login_verifier=scram_verifier(new_login_password),
                )
            else:
                user_id = user_for_google_account(session, profile)
                redeemed = invites.redeem_invite(session, code_hash=code.code_hash, user_id=user_id)
            user_id = redeemed.user_id
            if redeemed.organization_id != code.organization_id:
                raise InviteInvalid("This invite code was altered; ask for a new one.")
            if redeemed.sealed_keys is not None and self._key_store is not None:
                team_keys = code.open_keys(redeemed.sealed_keys)
                self._key_store.save(merge_keys(self._key_store.load(), team_keys))
            identity = identity_of(session, user_id)
        assert identity is not None
        return identity

    # --- members --------------------------------------------------------------

    def team(self, identity: Identity) -> Team:
        with self._sessions() as session:
            members = orgs.members_of(session, identity.organization_id)
            mine = next((m.role for m in members if m.user_id == identity.user_id), None)
            owner = next(m.user_id for m in members if m.role is MemberRole.OWNER)
            return Team(
                members, invites.pending_invites(session, identity.organization_id), mine, owner
            )

    @property
    def invite_refusal(self) -> str | None:
        """Why no invite can be made here (None: it can), said before anyone tries."""
        return NO_TEAM_DATABASE if self._address is None else None

    def invite(self, identity: Identity, email: str, role: MemberRole) -> str:
        """The code to hand to the new member."""
        if self._address is None:
            raise KnownError(NO_TEAM_DATABASE)
        if self._plan is not None:
            with self._sessions() as session:
                pending = len(invites.pending_invites(session, identity.organization_id))
            self._plan.check_invite(identity.organization_id, pending)
        invite_id = new_id()
        code = InviteCode.new(
            invite_id, identity.organization_id, identity.organization_name, self._address
        )
        sealed = code.seal_keys(load_or_create(self._key_store)) if self._key_store else None
        with _pointing_to_the_plan_page(), unit_of_work(self._sessions) as session:
            # The database makes the new member's own login; the code names it
            # and opens it (its password is derived from the code's secret).
            login = invites.create_invite(
                session,
                invite_id=invite_id,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                email=email,
                role=role,
                code_hash=code.code_hash,
                sealed_keys=sealed,
                expires_at=datetime.now(UTC) + INVITE_LIFETIME,
                login_verifier=scram_verifier(code.login_password),
            )
        if login is not None:
            code = replace(code, address=replace(code.address, user=login))
        return code.text()

    def cancel_invite(self, identity: Identity, invite_id: str) -> None:
        with unit_of_work(self._sessions) as session:
            invites.cancel_invite(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                invite_id=invite_id,
            )

    def change_role(self, identity: Identity, user_id: str, role: MemberRole) -> None:
        with unit_of_work(self._sessions) as session:
            orgs.change_role(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                user_id=user_id,
                role=role,
            )

    def remove(self, identity: Identity, user_id: str) -> None:
        with unit_of_work(self._sessions) as session:
            orgs.remove_member(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                user_id=user_id,
            )

    def transfer_ownership(self, identity: Identity, user_id: str) -> None:
        with unit_of_work(self._sessions) as session:
            orgs.transfer_ownership(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                new_owner_id=user_id,
            )

    # --- database logins ------------------------------------------------------

    def member_logins(self, identity: Identity) -> dict[str, str]:
        """Each member's own database login, by user id (managers see them)."""
        with self._sessions() as session:
            return orgs.member_logins(session, identity.organization_id)

    def issue_own_login(self, user_id: str, password: str) -> str | None:
        """A database login of their own for this person, with ``password``; None
        when this app's login may not issue logins (only the administrator's may)."""
        with unit_of_work(self._sessions) as session:
            return orgs.issue_login(session, user_id=user_id, verifier=scram_verifier(password))
