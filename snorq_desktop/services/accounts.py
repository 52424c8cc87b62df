"""Who is signed in on this computer: Google in the browser, then the users row in
the team database, then the keychain, in that order, so nothing is remembered
unless the whole sign-in worked."""

import contextlib
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

from snorq_desktop.auth.google import GoogleSignIn
from snorq_desktop.domain.errors import SignInFailed
from snorq_desktop.domain.identity import Identity
from snorq_desktop.secrets.account import AccountStore, SignedInAccount
from snorq_desktop.services.team import TeamService
from snorq_desktop.store.users import GoogleProfile


@dataclass(frozen=True)
class SignedInHere:
    account: SignedInAccount
    user_id: str
    identity: Identity | None  # None: onboarding comes next


def profile_of(account: SignedInAccount) -> GoogleProfile:
    # Stored only after Google verified the address (see AccountService.sign_in).
    return GoogleProfile(account.google_id, account.email, True, account.name, account.avatar_url)


class AccountService:
    """Signing in and out on this computer, against one team database.

    `google` is None when no Google client is configured (signing out then
    only forgets the account here); `team` makes the team service of the
    database this app works on (None where no database is open)."""

    def __init__(
        self,
        store: AccountStore,
        google: GoogleSignIn | None,
        team: Callable[[], TeamService] | None,
    ) -> None:
        self._store = store
        self._google = google
        self._team = team

    def sign_in(
        self,
        *,
        open_browser: Callable[[str], object] = webbrowser.open,
        timeout: float = 300.0,
        cancel: threading.Event | None = None,
        on_url: Callable[[str], None] | None = None,
    ) -> SignedInHere:
        if self._google is None:
            raise SignInFailed("Google sign-in is not set up in this build of SNORQ Desktop.")
        signed = self._google.sign_in(
            open_browser=open_browser, timeout=timeout, cancel=cancel, on_url=on_url
        )
        if not signed.account.email_verified:
            raise SignInFailed(
                f"Google has not verified {signed.account.email} yet; verify it with Google, "
                "then sign in again."
            )
        previous = self._store.load()
        account = SignedInAccount(
            google_id=signed.account.subject,
            email=signed.account.email,
            name=signed.account.name,
            avatar_url=signed.account.picture,
            # Google sends a refresh token only on the first consent: keep the old one.
            refresh_token=signed.refresh_token
            or (
                previous.refresh_token
                if previous and previous.google_id == signed.account.subject
                else None
            ),
        )
        user_id, identity = self._team_service().signed_in(profile_of(account))
        self._store.save(account)
        return SignedInHere(account, user_id, identity)

    def sign_out(self) -> SignedInAccount | None:
        """Forget who is signed in here, and tell Google (best effort)."""
        account = self._store.clear()
        if account is not None and account.refresh_token and self._google is not None:
            # The issuer may be away: the token is forgotten here all the same.
            with contextlib.suppress(SignInFailed):
                self._google.revoke(account.refresh_token)
        return account

    def _team_service(self) -> TeamService:
        if self._team is None:
            raise SignInFailed("No database is open to sign in to.")
        return self._team()

    def signed_in_here(self) -> SignedInHere | None:
        """Who is signed in on this computer, and their row in this database (made
        if the database is new to them), or None."""
        account = self._store.load()
        if account is None:
            return None
        user_id, identity = self._team_service().signed_in(profile_of(account))
        return SignedInHere(account, user_id, identity)
