"""The fake platforms (real HTTP on 127.0.0.1) with a shop connected to each
and the relay they deliver webhooks to: what the sync engine's tests work
against.  The ``world`` fixture (tests/conftest.py) makes one per test."""

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import Engine, text

from snorq_desktop.demo.fakes.meta import FakeMeta
from snorq_desktop.demo.fakes.tiktok import FakeTikTok
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.platforms.client import PlatformClient
from snorq_desktop.platforms.messenger_api import MessengerClient
from snorq_desktop.platforms.tiktok_api import TikTokClient
from snorq_desktop.platforms.whatsapp_api import WhatsAppClient
from snorq_desktop.relay.app import RelaySecrets
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.engine import SyncEngine
from tests.shop import account, open_shop, serving_relay

PHONE, PAGE, BUSINESS = "106540352242922", "1143561907842211", "bc-7193318264"


class World:
    def __init__(self, engine: Engine, relay_url: str) -> None:
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
            ids = open_shop(
                session,
                self.cipher,
                [
                    account(Platform.WHATSAPP, PHONE, "wa-token"),
                    account(Platform.FACEBOOK, PAGE, "page-token"),
                    account(Platform.TIKTOK, BUSINESS, "tt-access"),
                ],
                owner_name="Maya",
                name="Shop",
                slug="shop",
            )
        self.owner, self.org, self.connections = ids.owner_id, ids.organization_id, ids.connections

    def sql(self, statement: str, **params):
        with self.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []

    def clients(self, http: httpx.AsyncClient) -> dict[Platform, PlatformClient]:
        """The three platform clients, pointed at the fakes."""
        return {
            Platform.WHATSAPP: WhatsAppClient(http, self.meta.url),
            Platform.FACEBOOK: MessengerClient(http, self.meta.url),
            Platform.TIKTOK: TikTokClient(http, self.tiktok.url + "/open_api/v1.3"),
        }

    def run_pass(self, clock=None, engines: int = 1):
        async def go():
            async with httpx.AsyncClient(timeout=5) as http:
                clients = self.clients(http)
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


@contextmanager
def open_world(engine: Engine) -> Iterator[World]:
    with serving_relay(
        session_factory(engine), RelaySecrets("v", "meta-app-secret", "tiktok-app-secret")
    ) as relay_url:
        made = World(engine, relay_url)
        try:
            yield made
        finally:
            made.stop()


def wait_for(predicate, timeout: float = 5.0) -> None:
    """Poll until ``predicate()`` holds (the fakes and the relay answer on threads)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
