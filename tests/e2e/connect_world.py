"""A shop with no connections yet, the fake platforms with the business's own
apps registered, and a "browser" that follows the login pages like a person
who logs in (real HTTP all the way to the loopback listener)."""

import asyncio
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import text

from snorq_desktop.auth.platform_login import LoginEndpoints, PlatformLogin
from snorq_desktop.demo.fakes.meta import FakeMeta
from snorq_desktop.demo.fakes.tiktok import FakeTikTok
from snorq_desktop.domain.enums import PlanType, Platform
from snorq_desktop.platforms.client import PlatformClient
from snorq_desktop.platforms.messenger_api import MessengerClient
from snorq_desktop.platforms.tiktok_api import TikTokClient
from snorq_desktop.platforms.whatsapp_api import WhatsAppClient
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.services.connections import ConnectionsService
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.engine import SyncEngine

PAGE, PHONE, BUSINESS = "1143561907842211", "106540352242922", "bc-7193318264"
META_APP, META_SECRET = "438912006651234", "meta-business-secret-5b1f"
TIKTOK_KEY, TIKTOK_SECRET = "awx81kd0qz", "tiktok-business-secret-93ab"
RELAY = "https://relay.example.com"


class Browser:
    """Opens URLs the way a browser would: on its own thread, following redirects.
    ``tamper`` rewrites the redirect back to the app (a forged or stale answer)."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.tamper: Callable[[str], str] | None = None
        self.ignore = False  # the person never finishes (closes the tab)
        self.missing = False  # no browser could be started: says so, opens nothing
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        if self.missing:
            return False
        self.opened.append(url)
        if self.ignore:
            return True
        thread = threading.Thread(target=self._follow, args=(url,), daemon=True)
        thread.start()
        self.threads.append(thread)
        return True

    def _follow(self, url: str) -> None:
        with httpx.Client(timeout=10) as http:
            answer = http.get(url)
            while answer.is_redirect:
                target = answer.headers["location"]
                if self.tamper is not None and target.startswith("http://127.0.0.1"):
                    target = self.tamper(target)
                answer = http.get(target)


def with_state(url: str, state: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = state
    return parts._replace(query=urlencode(query)).geturl()


class ConnectWorld:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self.cipher = TokenCipher(KeySet.fresh())
        self.meta, self.tiktok = FakeMeta(), FakeTikTok()
        self.meta.start()
        self.tiktok.start()
        self.meta.add_app(META_APP, META_SECRET)
        self.tiktok.add_app(TIKTOK_KEY, TIKTOK_SECRET)
        with unit_of_work(self.sessions) as session:
            self.owner = orgs.create_user(session, email="maya@example.com", name="Maya")
            self.org = orgs.create_organization(
                session, owner_id=self.owner, name="Shop", slug="shop", plan=PlanType.PRO
            )
        self.browser = Browser()
        self.http = httpx.Client(timeout=10)
        self.login = PlatformLogin(self.http, self.endpoints, opener=self.browser, timeout=20)
        self.service = ConnectionsService(
            self.sessions,
            lambda: self.cipher,
            self.org,
            self.login,
            self.http,
            relay_url=RELAY,
        )

    @property
    def endpoints(self) -> LoginEndpoints:
        return LoginEndpoints(
            facebook_dialog=f"{self.meta.url}/v21.0/dialog/oauth",
            graph=self.meta.url,
            tiktok_authorize=f"{self.tiktok.url}/v2/auth/authorize/",
            tiktok_api=f"{self.tiktok.url}/open_api/v1.3",
        )

    def sql(self, statement: str, **params):
        with self.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []

    def sync_pass(self):
        async def go():
            async with httpx.AsyncClient(timeout=5) as http:
                clients: dict[Platform, PlatformClient] = {
                    Platform.WHATSAPP: WhatsAppClient(http, self.meta.url),
                    Platform.FACEBOOK: MessengerClient(http, self.meta.url),
                    Platform.TIKTOK: TikTokClient(http, self.tiktok.url + "/open_api/v1.3"),
                }
                engine = SyncEngine(self.engine, self.sessions, self.cipher, clients)
                return await engine.pass_once()

        return asyncio.run(go())

    def stop(self) -> None:
        for thread in self.browser.threads:
            thread.join(timeout=10)
        self.http.close()
        self.meta.stop()
        self.tiktok.stop()
