"""The headless sender: sync passes one after another with no window open
(``snorq-desktop sync --forever`` on the team's server), so replies queued
through the REST API go out while every app is closed.

Each pass is the apps' own: every connection is worked under its lock
(sync/connection_lock.py), so the server and an open app never both poll or
send for one connection, and a reply claimed by one is never sent by the
other.  With a :class:`WebhookSender` it also posts the organisations'
webhook events after each pass.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from snorq_desktop.sync.connection_work import PassReport
from snorq_desktop.sync.engine import SyncEngine
from snorq_desktop.sync.webhook_sender import WebhookSender

log = logging.getLogger(__name__)


async def sync_forever(
    engine: SyncEngine,
    *,
    every: float,
    stop: asyncio.Event,
    passes: int | None = None,
    after_pass: Callable[[PassReport], None] = lambda _: None,
    webhooks: WebhookSender | None = None,
) -> int:
    """Passes ``every`` seconds apart until ``stop`` is set (or ``passes`` ran);
    returns how many ran.  A pass that fails is logged and the next one tries again."""
    done = 0
    try:
        while not stop.is_set() and (passes is None or done < passes):
            try:
                after_pass(await engine.pass_once())
                if webhooks is not None:  # the events the pass stored, posted at once
                    await webhooks.deliver_due()
            except Exception:  # a database or network outage: the next pass retries
                log.exception("a sync pass failed; the next one tries again")
            done += 1
            if passes is not None and done >= passes:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        engine.stopping.set()
        await engine.finish()
    return done
