"""Connecting Messenger and TikTok through the system browser.

The person logs in on the platform's own page in their browser (never an
embedded view), which sends them back to a one-shot listener on 127.0.0.1.
Each login carries a fresh random ``state``; an answer without it is ignored
as forged or stale.  The exchanges that follow use the business's own app
credentials and happen here, never in the browser.
"""

import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from snorq_desktop.auth.browser import Opener as Opener  # re-exported for the callers
from snorq_desktop.auth.browser import opened
from snorq_desktop.auth.redirect_catcher import PortTaken, RedirectCatcher
from snorq_desktop.domain.connections import FacebookPage, LoginFailed
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms import meta_login, tiktok_login
from snorq_desktop.platforms.meta_api import DEFAULT_GRAPH_URL
from snorq_desktop.platforms.tiktok_api import DEFAULT_TIKTOK_URL
from snorq_desktop.platforms.tiktok_login import TikTokGrant

LOGIN_TIMEOUT_SECONDS = 300.0
# Facebook Login matches the redirect URI exactly, port included (strict mode),
# so it is one fixed address, registered under Facebook Login ▸ Settings ▸
# Valid OAuth Redirect URIs.  TikTok takes any port: ``http://127.0.0.1:*/callback/``.
FACEBOOK_REDIRECT_PORT = 48123
FACEBOOK_REDIRECT_URI = f"http://localhost:{FACEBOOK_REDIRECT_PORT}/callback/"
TIKTOK_REDIRECT_URI = "http://127.0.0.1:*/callback/"


@dataclass(frozen=True)
class LoginEndpoints:
    """Where the platforms are; tests and the demo point these at the fakes."""

    facebook_dialog: str = meta_login.DEFAULT_DIALOG_URL
    graph: str = DEFAULT_GRAPH_URL
    tiktok_authorize: str = tiktok_login.DEFAULT_AUTHORIZE_URL
    tiktok_api: str = DEFAULT_TIKTOK_URL
    # None: the registered port for the real Facebook, any free one for a stand-in
    # (the demo's and the tests' fakes, which may run side by side).
    facebook_redirect_port: int | None = None

    @property
    def _real_facebook(self) -> bool:
        return self.facebook_dialog == meta_login.DEFAULT_DIALOG_URL

    @property
    def facebook_port(self) -> int:
        if self.facebook_redirect_port is not None:
            return self.facebook_redirect_port
        return FACEBOOK_REDIRECT_PORT if self._real_facebook else 0

    @property
    def facebook_host_name(self) -> str:
        """As registered ("localhost") for the real Facebook; a stand-in needs no name."""
        return "localhost" if self._real_facebook else "127.0.0.1"


def _catcher(name: str, *, port: int = 0, host_name: str = "127.0.0.1") -> RedirectCatcher:
    return RedirectCatcher(
        f"{name} is connected to SNORQ Desktop.",
        f"{name} was not connected.",
        port=port,
        host_name=host_name,
    )


class PlatformLogin:
    def __init__(
        self,
        http: httpx.Client,
        endpoints: LoginEndpoints,
        *,
        opener: Opener = webbrowser.open,
        timeout: float = LOGIN_TIMEOUT_SECONDS,
    ) -> None:
        self._http = http
        self.endpoints = endpoints
        self._opener = opener
        self._timeout = timeout
        self._cancelled = threading.Event()
        # Given the link when no browser could be opened (from the login's thread):
        # the login then waits for the person to open it.  None: that ends the login.
        self.show_link: Callable[[str], None] | None = None

    def cancel(self) -> None:
        """Stop waiting for the browser (from any thread)."""
        self._cancelled.set()

    def _browser_round(
        self, name: str, authorize: Callable[[str, str], str], catcher: RedirectCatcher
    ) -> tuple[str, str]:
        """(code, redirect uri) from one login in the browser, or LoginFailed."""
        self._cancelled.clear()
        state = secrets.token_urlsafe(24)
        with catcher:
            url = authorize(catcher.redirect_uri, state)
            if not opened(self._opener, url):
                if self.show_link is None:
                    raise LoginFailed(
                        "No web browser could be opened for the login; set one as this "
                        "computer's default browser (or $BROWSER) and try again."
                    )
                self.show_link(url)
            answer = catcher.wait(self._timeout, self._cancelled)
        if answer is None:
            if self._cancelled.is_set():
                raise LoginFailed(f"The {name} login was cancelled.")
            minutes = round(self._timeout / 60)
            raise LoginFailed(
                f"The {name} login did not come back from the browser within "
                f"{minutes} minute(s); try again."
            )
        if not secrets.compare_digest(answer.get("state", ""), state):
            raise LoginFailed(
                f"The browser came back without this login's security code (state), so the "
                f"answer was ignored: it may be forged or from an older login. Connect {name} "
                "again."
            )
        if "error" in answer:
            reason = answer.get("error_description") or answer["error"]
            raise LoginFailed(f"{name} did not give access: {reason}.")
        code = answer.get("code") or answer.get("auth_code")
        if not code:
            raise LoginFailed(f"{name} came back without an authorisation code; try again.")
        return code, catcher.redirect_uri

    def facebook_pages(self, app_id: str, app_secret: SecretToken) -> list[FacebookPage]:
        """Facebook Login, then the pages the person manages with their page tokens."""
        port = self.endpoints.facebook_port
        try:
            catcher = _catcher("Facebook", port=port, host_name=self.endpoints.facebook_host_name)
        except PortTaken:
            raise LoginFailed(
                f"Another program on this computer uses port {port}, where Facebook sends "
                "the login back; close it (or restart the computer) and try again."
            ) from None
        code, redirect_uri = self._browser_round(
            "Facebook",
            lambda uri, state: meta_login.facebook_authorize_url(
                self.endpoints.facebook_dialog, app_id, uri, state
            ),
            catcher,
        )
        graph = self.endpoints.graph
        short = meta_login.exchange_code(
            self._http,
            graph,
            app_id=app_id,
            app_secret=app_secret,
            code=code,
            redirect_uri=redirect_uri,
        )
        # Page tokens listed with a long-lived user token do not expire.
        user = meta_login.long_lived_token(
            self._http, graph, app_id=app_id, app_secret=app_secret, token=short
        )
        pages = meta_login.managed_pages(self._http, graph, user)
        if not pages:
            raise LoginFailed(
                "This Facebook account manages no page (or did not allow SNORQ Desktop to see "
                "its pages). Log in as a page admin and allow access to the shop's page."
            )
        return pages

    def tiktok_account(self, client_key: str, client_secret: SecretToken) -> TikTokGrant:
        """TikTok's OAuth for a Business Account: its id and tokens."""
        code, redirect_uri = self._browser_round(
            "TikTok",
            lambda uri, state: tiktok_login.tiktok_authorize_url(
                self.endpoints.tiktok_authorize, client_key, uri, state
            ),
            _catcher("TikTok"),
        )
        return tiktok_login.exchange_auth_code(
            self._http,
            self.endpoints.tiktok_api,
            client_key=client_key,
            client_secret=client_secret,
            code=code,
            redirect_uri=redirect_uri,
        )
