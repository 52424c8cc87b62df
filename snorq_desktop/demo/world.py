"""The demo's little world: fake WhatsApp, Messenger and TikTok servers on
127.0.0.1, a relay for their webhooks, and customers who keep writing.

Everything the real app does with the platforms happens here for real over
HTTP: webhooks are signed and checked, replies are sent by the sync engine
and come back with delivery and read ticks.  Part of the composition root.
"""

import logging
import random
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.demo.content import ASKS, CUSTOMERS, DEMO_TEMPLATES, NEW_ARRIVALS
from snorq_desktop.demo.fakes.meta import FakeMeta
from snorq_desktop.demo.fakes.tiktok import FakeTikTok
from snorq_desktop.demo.files import picture
from snorq_desktop.demo.shop import DEMO_ACCOUNTS, DEMO_APPS, DEMO_BUSINESS_ACCOUNT
from snorq_desktop.domain.enums import MessageDirection, Platform
from snorq_desktop.relay.app import RelaySecrets, build_relay
from snorq_desktop.store.models import Conversation, Message
from snorq_desktop.store.platform_apps import AppProvider

log = logging.getLogger(__name__)

_META_SECRET = "demo-meta-app-secret"
_TIKTOK_SECRET = "demo-tiktok-app-secret"
# This WhatsApp customer last wrote days ago and stays quiet: their conversation
# stays outside the 24-hour window, where only an approved template can be sent.
QUIET_CUSTOMER = "ravip"


@dataclass
class DemoWorld:
    meta: FakeMeta
    tiktok: FakeTikTok
    relay: uvicorn.Server
    sessions: sessionmaker[Session]
    rng: random.Random = field(default_factory=random.Random)
    _said: dict[str, list[str]] = field(default_factory=dict)  # each customer's recent lines

    @property
    def graph_url(self) -> str:
        return self.meta.url

    @property
    def tiktok_url(self) -> str:
        return self.tiktok.url + "/open_api/v1.3"

    def customer_writes(self) -> None:
        """One of the demo's customers writes, on their own platform (called every few seconds)."""
        with self.sessions() as session:
            rows = session.execute(
                select(
                    Conversation.id,
                    Conversation.platform,
                    Conversation.contact_external_id,
                    Conversation.contact_name,
                    Conversation.contact_username,
                ).where(Conversation.contact_username.is_distinct_from(QUIET_CUSTOMER))
            ).all()
        if not rows:
            return
        conversation, platform, contact, name, username = self.rng.choice(rows)
        name = name or username or "Customer"
        account = DEMO_ACCOUNTS[platform][0]
        whatsapp = platform is Platform.WHATSAPP
        if platform is not Platform.TIKTOK and self.rng.random() < 0.1:
            ours = self._our_last_message(conversation)
            if ours is not None:  # now and then a reaction to our last reply
                emoji = self.rng.choice(["👍", "❤️", "😮", "🙏"])
                self.meta.customer_reacts(account, contact, ours, emoji, whatsapp=whatsapp)
                return
        if self.rng.random() < 0.15:  # now and then a photo instead of words
            photo = picture(480, 360, self.rng.randrange(1000))
            if platform is Platform.TIKTOK:
                self.tiktok.customer_sends_image(
                    account, contact, photo, "image/png", name=name, username=username
                )
            else:
                self.meta.customer_sends_file(
                    account,
                    contact,
                    photo,
                    "image/png",
                    file_name="photo.png",
                    name=name,
                    whatsapp=whatsapp,
                )
            return
        text = self._next_line(contact, username)
        if platform is Platform.TIKTOK:
            self.tiktok.customer_writes(account, contact, text, name=name, username=username)
        else:
            self.meta.customer_writes(account, contact, text, name=name, whatsapp=whatsapp)

    def _next_line(self, contact: str, username: str | None) -> str:
        """A line this customer has not said lately: nobody repeats themselves five
        times in a row."""
        language = next((c[3] for c in CUSTOMERS if c[1] == username), "en")
        # Some languages have one new line only: their questions come back too.
        lines = list(dict.fromkeys(NEW_ARRIVALS.get(language, []) + ASKS.get(language, [])))
        lines = lines or NEW_ARRIVALS["en"]
        said = self._said.setdefault(contact, [])
        fresh = [line for line in lines if line not in said] or lines
        text = self.rng.choice(fresh)
        said.append(text)
        del said[: max(0, len(said) - (len(lines) - 1))]
        return text

    def _our_last_message(self, conversation: str) -> str | None:
        with self.sessions() as session:
            return session.execute(
                select(Message.external_id)
                .where(
                    Message.conversation_id == conversation,
                    Message.direction == MessageDirection.OUTBOUND,
                    Message.external_id.is_not(None),
                )
                .order_by(Message.created_at.desc())
                .limit(1)
            ).scalar_one_or_none()

    def stop(self) -> None:
        self.relay.should_exit = True
        self.meta.stop()
        self.tiktok.stop()


def start_demo_world(sessions: sessionmaker[Session]) -> DemoWorld:
    meta, tiktok = FakeMeta(app_secret=_META_SECRET), FakeTikTok(app_secret=_TIKTOK_SECRET)
    meta.start()
    tiktok.start()
    for name, body in DEMO_TEMPLATES:
        meta.add_template(DEMO_BUSINESS_ACCOUNT, name, body)
    # Reconnecting from Team ▸ Connections… logs in to these, in the browser.
    meta.add_app(*DEMO_APPS[AppProvider.META])
    tiktok.add_app(*DEMO_APPS[AppProvider.TIKTOK])
    page_id, _, shop_name = DEMO_ACCOUNTS[Platform.FACEBOOK]
    meta.login_pages = [(page_id, shop_name)]
    tiktok.login_business = DEMO_ACCOUNTS[Platform.TIKTOK][0]
    phone_id, number, name = DEMO_ACCOUNTS[Platform.WHATSAPP]
    meta.add_phone_number(phone_id, "demo-whatsapp", number, name)
    for platform, (account, _, _) in DEMO_ACCOUNTS.items():
        token = f"demo-{platform.value.lower()}"
        if platform is Platform.TIKTOK:
            tiktok.add_account(account, token, f"{token}-refresh")
        else:
            meta.add_account(account, token)
    relay = uvicorn.Server(
        uvicorn.Config(
            build_relay(sessions, RelaySecrets("demo", _META_SECRET, _TIKTOK_SECRET)),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
        )
    )
    threading.Thread(target=relay.run, name="snorq-demo-relay", daemon=True).start()
    deadline = time.monotonic() + 10
    while not relay.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the demo relay did not start")
        time.sleep(0.01)
    port = relay.servers[0].sockets[0].getsockname()[1]
    meta.webhook_url = tiktok.webhook_url = f"http://127.0.0.1:{port}"
    log.info("demo platforms on %s and %s, relay on port %d", meta.url, tiktok.url, port)
    return DemoWorld(meta, tiktok, relay, sessions)
