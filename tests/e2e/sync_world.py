"""The sync engine's world for the end-to-end tests: the fake platforms (real HTTP
on 127.0.0.1), a shop connected to each, and the relay in front of the test
database (the ``world`` fixture in conftest.py starts it)."""

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn
from sqlalchemy import Engine, text

from snorq_desktop.demo.fakes.meta import FakeMeta
from snorq_desktop.demo.fakes.tiktok import FakeTikTok
from snorq_desktop.domain.enums import PlanType, Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.client import PlatformClient
from snorq_desktop.platforms.messenger_api import MessengerClient
from snorq_desktop.platforms.tiktok_api import TikTokClient
from snorq_desktop.platforms.whatsapp_api import WhatsAppClient
from snorq_desktop.relay.app import RelaySecrets, build_relay
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.engine import SyncEngine

PHONE, PAGE, BUSINESS = "106540352242922", "1143561907842211", "bc-7193318264"


class World:
    def __init__(self, engine, relay_url: str) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self.cipher = TokenCipher(KeySet.fresh())
        self.meta, self.tiktok = FakeMeta(), FakeTikTok()
        for fake in (self.meta, self.tiktok):
            fake.start()
            fake.webhook_url = relay_url
        self.meta.add_account(PHONE, "wa-token")
        self.meta.add_account(PAGE, "page-token")
        self.tiktok.add_account(BUSINESS, "tt-access", "tt-refresh")
        with unit_of_work(self.sessions) as session:
            self.owner = orgs.create_user(session, email="maya@example.com", name="Maya")
            self.org = orgs.create_organization(
                session, owner_id=self.owner, name="Shop", slug="shop", plan=PlanType.PRO
            )
            self.connections = {
                platform: connect_platform(
                    session,
                    self.cipher,
                    organization_id=self.org,
                    account=PlatformAccount(
                        platform=platform, platform_user_id=account, access_token=SecretToken(token)
                    ),
                )
                for platform, account, token in (
                    (Platform.WHATSAPP, PHONE, "wa-token"),
                    (Platform.FACEBOOK, PAGE, "page-token"),
                    (Platform.TIKTOK, BUSINESS, "tt-access"),
                )
            }

    def sql(self, statement: str, **params):
        with self.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []

    def run_pass(self, clock=None, engines: int = 1):
        async def go():
            async with httpx.AsyncClient(timeout=5) as http:
                clients: dict[Platform, PlatformClient] = {
                    Platform.WHATSAPP: WhatsAppClient(http, self.meta.url),
                    Platform.FACEBOOK: MessengerClient(http, self.meta.url),
                    Platform.TIKTOK: TikTokClient(http, self.tiktok.url + "/open_api/v1.3"),
                }
                made = [
                    SyncEngine(
                        self.engine,
                        self.sessions,
                        self.cipher,
                        clients,
                        **({"clock": clock} if clock else {}),
                    )
                    for _ in range(engines)
                ]
                return await asyncio.gather(*(e.pass_once() for e in made))

        reports = asyncio.run(go())
        return reports[0] if engines == 1 else reports

    def reply(self, conversation_external_id: str, body: str) -> str:
        conversation = self.sql(
            "SELECT id FROM conversations WHERE external_id = :e", e=conversation_external_id
        )[0][0]
        message_id = new_id()
        with unit_of_work(self.sessions) as session:
            actions.add_reply(
                session,
                organization_id=self.org,
                conversation_id=conversation,
                message_id=message_id,
                sender_id=self.owner,
                text=body,
            )
        return message_id

    def status_of(self, message_id: str):
        return self.sql(
            "SELECT status::text, external_id, failure_reason FROM messages WHERE id = :i",
            i=message_id,
        )[0]

    def stop(self):
        self.meta.stop()
        self.tiktok.stop()


def running_world(engine: Engine) -> Iterator[World]:
    """The world with the relay running in front of ``engine``'s database."""
    sessions = session_factory(engine)
    app = build_relay(sessions, RelaySecrets("v", "meta-app-secret", "tiktok-app-secret"))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    made = World(engine, f"http://127.0.0.1:{port}")
    yield made
    made.stop()
    server.should_exit = True
    thread.join(timeout=10)
