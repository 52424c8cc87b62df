"""The connections page's operations: list, connect (browser logins, the
WhatsApp form), reconnect, disconnect, delete, and the business's own app
credentials.  Each runs on the caller's thread (the page's worker); database
work is one transaction each, never held open while a browser login waits."""

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.auth.platform_login import PlatformLogin
from snorq_desktop.domain.connections import (
    ConnectionRow,
    DeletionImpact,
    FacebookPage,
    WhatsAppSetup,
)
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.tokens import SecretToken, TokenSealer
from snorq_desktop.platforms import meta_login
from snorq_desktop.platforms.errors import PlatformError, TokenExpired
from snorq_desktop.store import connection_admin, platform_apps
from snorq_desktop.store.change_notices import notify_changes
from snorq_desktop.store.connections import PlatformAccount, connect_platform, delete_connection
from snorq_desktop.store.platform_apps import AppCredentials, AppProvider
from snorq_desktop.store.unit_of_work import unit_of_work

# The token sealer; raises the KnownError that says why there is none here.
SealerSource = Callable[[], TokenSealer]
META_WEBHOOK_PATH = "/webhooks/meta"


class ConnectionsService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        sealer: SealerSource,
        organization_id: str | None,
        login: PlatformLogin,
        http: httpx.Client,
        *,
        relay_url: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        origin: str = "",
    ) -> None:
        """``origin``: the window's own id on the NOTIFY each change sends, so that
        window (told directly) skips its echo; every other app of the team hears it."""
        self._sessions = sessions
        self._origin = origin
        self._sealer = sealer
        self._organization_id = organization_id
        self._login = login
        self._http = http
        self._relay_url = relay_url.rstrip("/") if relay_url else None
        self._clock = clock

    @property
    def organization_id(self) -> str:
        if self._organization_id is None:
            raise KnownError(
                "There is no organisation in this database yet: create one (or join one) first."
            )
        return self._organization_id

    # --- what there is ------------------------------------------------------------

    def connections(self) -> list[ConnectionRow]:
        with unit_of_work(self._sessions) as session:
            return connection_admin.connections_of(session, self.organization_id)

    def app_ids(self) -> dict[str, str]:
        """Provider ("META", "TIKTOK") → app id, for the apps whose secret is stored."""
        with unit_of_work(self._sessions) as session:
            found = platform_apps.app_ids(session, self.organization_id)
        return {provider.value: app_id for provider, app_id in found.items()}

    # --- the business's own apps ------------------------------------------------------

    def save_app(self, provider: str, app_id: str, app_secret: str) -> None:
        which = AppProvider(provider)
        label = "Meta app id" if which is AppProvider.META else "TikTok client key"
        if not app_id.strip():
            raise KnownError(f"Enter the {label}.")
        if not app_secret.strip():
            raise KnownError(f"Enter the {label.split()[0]} app's secret as well.")
        sealer = self._sealer()
        with unit_of_work(self._sessions) as session:
            platform_apps.save_app_credentials(
                session,
                sealer,
                organization_id=self.organization_id,
                provider=which,
                app_id=app_id.strip(),
                app_secret=SecretToken(app_secret.strip()),
            )

    def _app(self, provider: AppProvider) -> AppCredentials:
        with unit_of_work(self._sessions) as session:
            found = platform_apps.app_credentials(
                session, self._sealer(), self.organization_id, provider
            )
        if found is None:
            where = {
                AppProvider.META: "Meta app id and secret",
                AppProvider.TIKTOK: "TikTok app's client key and secret",
            }[provider]
            raise KnownError(f"Enter your {where} under “Your apps” first.")
        return found

    # --- connecting -------------------------------------------------------------------

    def cancel_login(self) -> None:
        self._login.cancel()

    def show_links_with(self, show_link: Callable[[str], None] | None) -> None:
        """Where a login's link goes when no browser could be opened (called from
        the login's thread); the login then waits for the person to open it."""
        self._login.show_link = show_link

    def facebook_pages(self) -> list[FacebookPage]:
        """Facebook Login in the system browser; the pages to choose from."""
        app = self._app(AppProvider.META)
        return self._login.facebook_pages(app.app_id, app.app_secret)

    def connect_page(self, page: FacebookPage) -> str:
        return self._connect(
            PlatformAccount(
                platform=Platform.FACEBOOK,
                platform_user_id=page.id,
                access_token=page.access_token,
                display_name=page.name,
            )
        )

    def connect_tiktok(self) -> str:
        """TikTok's OAuth in the system browser, then the connection."""
        app = self._app(AppProvider.TIKTOK)
        grant = self._login.tiktok_account(app.app_id, app.app_secret)
        expires = self._clock() + timedelta(seconds=grant.expires_in) if grant.expires_in else None
        return self._connect(
            PlatformAccount(
                platform=Platform.TIKTOK,
                platform_user_id=grant.business_id,
                access_token=grant.access_token,
                refresh_token=grant.refresh_token,
                token_expires_at=expires,
            )
        )

    def connect_whatsapp(
        self, phone_number_id: str, business_account_id: str, access_token: str
    ) -> WhatsAppSetup:
        """Check the number with the token (GET on its id), connect it, and say what
        to paste into Meta's dashboard."""
        phone_number_id, business_account_id = phone_number_id.strip(), business_account_id.strip()
        if not phone_number_id or not business_account_id or not access_token.strip():
            raise KnownError(
                "Enter the phone number id, the WhatsApp Business Account id and the access "
                "token (Meta app → WhatsApp → API Setup)."
            )
        if not business_account_id.isdigit():
            raise KnownError("A WhatsApp Business Account id is a number, such as 102290129340398.")
        token = SecretToken(access_token.strip())
        try:
            number, name = meta_login.whatsapp_phone_number(
                self._http, self._login.endpoints.graph, phone_number_id, token
            )
        except TokenExpired:
            raise KnownError(
                "Meta refused that access token for this phone number id: check both (a "
                "temporary token from API Setup lasts 24 hours; use a system user's token)."
            ) from None
        except PlatformError as refused:
            raise KnownError(f"The phone number could not be checked: {refused.sentence}") from None
        self._connect(
            PlatformAccount(
                platform=Platform.WHATSAPP,
                platform_user_id=phone_number_id,
                access_token=token,
                username=number,
                display_name=name or number,
            )
        )
        return self.whatsapp_setup()

    def whatsapp_setup(self) -> WhatsAppSetup:
        """The relay's callback URL and this organisation's verify token (made once)."""
        fresh = SecretToken(secrets.token_urlsafe(24))
        with unit_of_work(self._sessions) as session:
            verify = platform_apps.webhook_verify_token(
                session, self._sealer(), self.organization_id, fresh
            )
        callback = f"{self._relay_url}{META_WEBHOOK_PATH}" if self._relay_url else None
        return WhatsAppSetup(callback_url=callback, verify_token=verify)

    def _connect(self, account: PlatformAccount) -> str:
        sealer = self._sealer()
        with unit_of_work(self._sessions) as session:
            connection_id = connect_platform(
                session, sealer, organization_id=self.organization_id, account=account
            )
            self._tell_the_team(session, Changes(connections=True))
            return connection_id

    def _tell_the_team(self, session: Session, changes: Changes) -> None:
        """In the change's own transaction: heard only if it is committed."""
        notify_changes(session, self.organization_id, changes, self._origin)

    # --- managing -----------------------------------------------------------------------

    def disconnect(self, connection_id: str) -> None:
        with unit_of_work(self._sessions) as session:
            connection_admin.disconnect(session, self.organization_id, connection_id)
            self._tell_the_team(session, Changes(connections=True))

    def deletion_impact(self, connection_id: str) -> DeletionImpact:
        with unit_of_work(self._sessions) as session:
            return connection_admin.deletion_impact(session, self.organization_id, connection_id)

    def delete(self, connection_id: str) -> DeletionImpact:
        """Delete it and (the seed's cascade) its conversations and their messages."""
        with unit_of_work(self._sessions) as session:
            impact = connection_admin.deletion_impact(session, self.organization_id, connection_id)
            gone = connection_admin.conversations_of(session, self.organization_id, connection_id)
            delete_connection(session, connection_id)
            # Its conversations went with it: every inbox drops their rows.
            self._tell_the_team(session, Changes(conversations=gone, connections=True))
        return impact
