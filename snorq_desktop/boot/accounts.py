"""Signing in, signing out and joining a team: the composition root's part.

Builds services/accounts.py's AccountService from the settings, the keychain and
the database, for the command line and the window; joining a team also moves
this app to the team's database, which only the root may decide.
"""

import threading
import webbrowser
from collections.abc import Callable
from dataclasses import replace

import httpx
from sqlalchemy.engine import URL

from snorq_desktop.auth.browser import open_or_show
from snorq_desktop.auth.google import GoogleSignIn, SignInConfig
from snorq_desktop.boot.app import Database, token_key_store
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.errors import DatabaseUnavailable, InviteInvalid, KnownError
from snorq_desktop.domain.identity import Identity
from snorq_desktop.secrets import member_login
from snorq_desktop.secrets.account import AccountStore, SignedInAccount, open_account_store
from snorq_desktop.secrets.invite_code import InviteCode, TeamAddress
from snorq_desktop.services.accounts import AccountService, SignedInHere, profile_of
from snorq_desktop.services.team import TeamService
from snorq_desktop.store.database import connect_checked
from snorq_desktop.store.migrate import require_current_schema
from snorq_desktop.store.unit_of_work import session_factory


def account_store(settings: Settings, paths: AppPaths) -> AccountStore:
    return open_account_store(
        paths.config / "google-account.json", allow_file=settings.allow_key_file
    )


def google(settings: Settings, http: httpx.Client) -> GoogleSignIn:
    return GoogleSignIn(
        SignInConfig(
            client_id=settings.google_client_id or "",
            client_secret=settings.google_client_secret,
            issuer=settings.google_issuer,
        ),
        http,
    )


def team_service(database: Database, settings: Settings, paths: AppPaths) -> TeamService:
    """Invites name this database's address, and carry this computer's token keys."""
    address = None
    if not database.embedded:
        url = database.engine.url
        sslmode = url.query.get("sslmode")
        address = TeamAddress(
            host=url.host or "localhost",
            port=url.port or 5432,
            database=url.database or "",
            sslmode=sslmode if isinstance(sslmode, str) else None,
            user=url.username,
        )
    try:
        keys = token_key_store(settings, paths)
    except KnownError:
        keys = None  # no keychain: invites carry no keys; the member's app will say so
    return TeamService(database.sessions, address=address, key_store=keys)


def account_service(
    settings: Settings, paths: AppPaths, database: Database, http: httpx.Client
) -> AccountService:
    return AccountService(
        account_store(settings, paths),
        google(settings, http) if settings.google_client_id else None,
        lambda: team_service(database, settings, paths),
    )


def sign_in(
    settings: Settings,
    paths: AppPaths,
    database: Database,
    http: httpx.Client,
    *,
    open_browser: Callable[[str], object] = webbrowser.open,
    timeout: float = 300.0,
    cancel: threading.Event | None = None,
    on_url: Callable[[str], None] | None = None,
) -> SignedInHere:
    # Google is asked even without a client id: it says which setting is missing.
    service = AccountService(
        account_store(settings, paths),
        google(settings, http),
        lambda: team_service(database, settings, paths),
    )
    return service.sign_in(open_browser=open_browser, timeout=timeout, cancel=cancel, on_url=on_url)


def sign_out(settings: Settings, paths: AppPaths, http: httpx.Client) -> SignedInAccount | None:
    return AccountService(
        account_store(settings, paths),
        google(settings, http) if settings.google_client_id else None,
        team=None,  # signing out touches no database
    ).sign_out()


def signed_in_here(
    settings: Settings, paths: AppPaths, database: Database, http: httpx.Client
) -> SignedInHere | None:
    return account_service(settings, paths, database, http).signed_in_here()


def join_team(
    settings: Settings,
    paths: AppPaths,
    account: SignedInAccount,
    code_text: str,
    *,
    user: str,
    password: str,
) -> tuple[Identity, Settings]:
    """Use an invite: connect to the team database the code names, join there
    (the team's token keys go to this computer's keychain), and remember that
    database in the settings.  Returns the identity and the settings saved."""
    code = InviteCode.parse(code_text)
    address = code.address
    # A code that names its own login opens it; this app then gives that login
    # a password of its own, kept with the settings (a 0600 file).
    own_login = code.opens_own_login and user in ("", address.user) and not password
    new_password = member_login.new_password() if own_login else None
    url = URL.create(
        "postgresql+psycopg",
        username=user or address.user,
        password=(code.login_password if own_login else password) or None,
        host=address.host,
        port=address.port,
        database=address.database,
        query={"sslmode": address.sslmode} if address.sslmode else {},
    )
    try:
        engine = connect_checked(url)
    except DatabaseUnavailable:
        if not own_login:
            raise
        # The code opens its login only until it is used (the joining app then
        # gave the login a password of its own), or until the invite expires.
        raise InviteInvalid(
            "This invite code no longer opens the team database: it has been used, or it "
            "expired or was cancelled; ask for a new one."
        ) from None
    try:
        require_current_schema(engine)
        service = TeamService(session_factory(engine), key_store=token_key_store(settings, paths))
        identity = service.join(code, profile_of(account), new_login_password=new_password)
    finally:
        engine.dispose()
    if new_password is not None:
        url = url.set(password=new_password)
    # Saved as a plain libpq URL, as Team ▸ Database… saves one: the settings
    # file is what a person copies into psql, which refuses postgresql+psycopg://.
    saved = replace(
        settings,
        database_url=url.set(drivername="postgresql").render_as_string(hide_password=False),
    )
    saved.save(paths.settings_file)
    return identity, saved


class AccountFlow:
    """The first-run screen's work (ui.first_run.FirstRunFlow), on this database."""

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        database: Database,
        http: httpx.Client,
        *,
        open_browser: Callable[[str], object] = webbrowser.open,
        timeout: float = 300.0,
        signed_in: SignedInHere | None = None,
    ) -> None:
        self.settings = settings  # replaced when joining a team moves the app to its database
        self._paths = paths
        self._database = database
        self._http = http
        self._open_browser = open_browser
        self._timeout = timeout
        self.account = signed_in.account if signed_in else None
        self.user_id = signed_in.user_id if signed_in else None

    @property
    def who(self) -> str:
        if self.account is None:
            return "nobody"
        if self.account.name:
            return f"{self.account.name} <{self.account.email}>"
        return self.account.email

    def sign_in(
        self, cancel: threading.Event, show_link: Callable[[str], None] | None = None
    ) -> Identity | None:
        opener = self._open_browser
        done = sign_in(
            self.settings,
            self._paths,
            self._database,
            self._http,
            open_browser=open_or_show(opener, show_link) if show_link else opener,
            timeout=self._timeout,
            cancel=cancel,
        )
        self.account, self.user_id = done.account, done.user_id
        return done.identity

    def _service(self) -> TeamService:
        return team_service(self._database, self.settings, self._paths)

    def propose_slug(self, name: str) -> str:
        return self._service().propose_slug(name)

    def create_organization(self, name: str, slug: str) -> Identity:
        assert self.user_id is not None
        return self._service().create_organization(self.user_id, name, slug)

    def code_user(self, code: str) -> str | None:
        try:
            return InviteCode.parse(code).address.user
        except KnownError:
            return None

    def join(self, code: str, user: str, password: str) -> Identity:
        assert self.account is not None
        identity, self.settings = join_team(
            self.settings, self._paths, self.account, code, user=user, password=password
        )
        self.user_id = identity.user_id
        return identity
