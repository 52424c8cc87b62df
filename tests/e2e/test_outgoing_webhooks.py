"""Outgoing webhooks (#18.4): a Business shop's URL receives HMAC-SHA256 signed
events for a new customer message and a status change, posted by the headless
sender; a refusal is retried after its wait, and no event is posted twice,
even with two senders working at once.  The receiver is the shop's own system,
stood in for by an HTTP server on 127.0.0.1."""

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from snorq_desktop.domain.errors import PlanRefused
from snorq_desktop.domain.identity import Identity
from snorq_desktop.services.outgoing_webhooks import WebhookService
from snorq_desktop.sync.engine import SyncEngine
from snorq_desktop.sync.forever import sync_forever
from snorq_desktop.sync.webhook_sender import WebhookSender
from tests.world import PHONE


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.answers.pop(0) if outer.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/snorq-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.server.shutdown()
    made.server.server_close()


def _checked(secret: str, headers: dict[str, str], body: bytes) -> dict[str, object]:
    stamp, digest = (part.split("=", 1)[1] for part in headers["x-snorq-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(digest, expected)
    event: dict[str, object] = json.loads(body)
    assert event["id"] == headers["x-snorq-event-id"]
    return event


def test_signed_events_retried_and_never_twice(world, receiver):
    owner = Identity(world.org, "Shop", world.owner, "Maya")
    service = WebhookService(world.sessions, lambda: world.cipher)
    with pytest.raises(PlanRefused, match="Outgoing webhooks come with the Business plan"):
        service.add(owner, receiver.url)
    world.sql("UPDATE organizations SET plan = 'BUSINESS'")
    _, secret = service.add(owner, receiver.url)
    assert secret.startswith("whsec_") and secret not in str(
        world.sql("SELECT * FROM outgoing_webhooks")
    )

    world.meta.customer_writes(PHONE, "447700900123", "Is it in stock?", name="Ana")
    world.run_pass()
    receiver.answers = [503]  # the shop's system is down for the first attempt

    async def deliver(senders: int = 1) -> list[int]:
        async with httpx.AsyncClient(timeout=5) as http:
            made = [WebhookSender(world.sessions, world.cipher, http) for _ in range(senders)]
            return list(await asyncio.gather(*(s.deliver_due() for s in made)))

    assert asyncio.run(deliver()) == [0]
    assert len(receiver.received) == 1
    assert asyncio.run(deliver()) == [0]  # not due yet: it waits before the retry
    [(attempts, error)] = world.sql("SELECT attempts, last_error FROM webhook_deliveries")
    assert (attempts, error) == (1, "the receiver answered 503")
    world.sql("UPDATE webhook_deliveries SET next_attempt_at = now()")  # the wait is over
    assert asyncio.run(deliver(senders=2)) in ([1, 0], [0, 1])
    assert asyncio.run(deliver()) == [0]
    assert len(receiver.received) == 2
    first, retried = (_checked(secret, h, b) for h, b in receiver.received)
    assert first == retried and first["event"] == "message.created"
    assert first["data"]["content"] == "Is it in stock?"  # type: ignore[index]

    [(conversation,)] = world.sql("SELECT id FROM conversations")
    world.sql("UPDATE conversations SET status = 'CLOSED' WHERE id = :c", c=conversation)

    async def headless() -> int:
        async with httpx.AsyncClient(timeout=5) as http:
            engine = SyncEngine(world.engine, world.sessions, world.cipher, world.clients(http))
            sender = WebhookSender(world.sessions, world.cipher, http)
            return await sync_forever(
                engine, every=0.01, stop=asyncio.Event(), passes=2, webhooks=sender
            )

    assert asyncio.run(headless()) == 2
    assert len(receiver.received) == 3
    changed = _checked(secret, *receiver.received[2])
    assert changed["event"] == "conversation.status_changed"
    assert changed["data"] == {"id": conversation, "status": "CLOSED", "previous_status": "OPEN"}
    assert world.sql("SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL") == [(0,)]
