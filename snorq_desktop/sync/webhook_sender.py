"""Posts the organisations' webhook events (#18.4) from the headless sender.

Each body is signed: ``X-Snorq-Signature: t=<unix time>,v1=<hex>``, where the
hex is HMAC-SHA256 with the webhook's secret over ``"<t>." + body``.  An event
is claimed before it is posted; a refusal (an answer other than 2xx) or no
connection at all puts it back for later, after 30 s, 1 min, 2 min … up to 8
attempts; a post that got no answer may have arrived, so it is failed with a
sentence, never posted twice.
"""

import asyncio
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.tokens import TokenSealer, sealed_place
from snorq_desktop.store import outgoing_webhooks as store
from snorq_desktop.store.unit_of_work import unit_of_work

MAX_ATTEMPTS = 8
FIRST_WAIT_SECONDS = 30.0
STALE_CLAIM_SECONDS = 120


def signature(secret: str, body: bytes, stamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


class WebhookSender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        sealer: TokenSealer,
        http: httpx.AsyncClient,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = sessions
        self._sealer = sealer
        self._http = http
        self._clock = clock

    def _in_transaction(self, work: Callable[[Session], object]) -> object:
        with unit_of_work(self._sessions) as session:
            return work(session)

    async def deliver_due(self) -> int:
        """Posts what is due now; returns how many arrived."""
        db = asyncio.to_thread
        organizations = await db(self._in_transaction, store.organizations_to_post_for)
        assert isinstance(organizations, list)
        arrived = 0
        for organization_id in organizations:  # one shop at a time: each statement names it
            settle = functools.partial(
                store.settle_stale,
                organization_id=organization_id,
                older_than_seconds=STALE_CLAIM_SECONDS,
            )
            await db(self._in_transaction, settle)
            claim = functools.partial(store.claim_due, organization_id=organization_id)
            due = await db(self._in_transaction, claim)
            assert isinstance(due, list)
            arrived += sum(await asyncio.gather(*(self._post(d) for d in due)))
        return arrived

    async def _post(self, delivery: store.DueDelivery) -> bool:
        db = asyncio.to_thread
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        place = sealed_place("outgoing_webhooks", delivery.webhook_id, "secret")
        secret = self._sealer.open(delivery.sealed_secret, place).reveal()
        stamp = int(self._clock())
        headers = {
            "Content-Type": "application/json",
            "X-Snorq-Event": delivery.event,
            "X-Snorq-Event-Id": delivery.event_id,
            "X-Snorq-Signature": signature(secret, body, stamp),
        }
        try:
            answer = await self._http.post(delivery.url, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:  # never reached it
            unreached = f"the receiver could not be reached ({type(error).__name__})"
            await db(self._in_transaction, lambda s: self._later(s, delivery, unreached))
            return False
        except httpx.HTTPError as error:  # sent, but no answer: it may have arrived
            reason = f"{store.UNKNOWN_OUTCOME} ({type(error).__name__})"
            await db(self._in_transaction, lambda s: store.mark_failed(s, delivery, reason))
            return False
        if 200 <= answer.status_code < 300:
            await db(self._in_transaction, lambda s: store.mark_delivered(s, delivery))
            return True
        said = f"the receiver answered {answer.status_code}"
        await db(self._in_transaction, lambda s: self._later(s, delivery, said))
        return False

    def _later(self, session: Session, delivery: store.DueDelivery, error: str) -> None:
        if delivery.attempts >= MAX_ATTEMPTS:
            store.mark_failed(session, delivery, f"{error}; gave up after {MAX_ATTEMPTS} tries")
        else:
            wait = FIRST_WAIT_SECONDS * 2 ** (delivery.attempts - 1)
            store.put_back(session, delivery, wait, error)
