"""A reply's latency: from Send (the service call that stores it, as the
window's database worker makes it) to the fake platform receiving the request,
with the sync runner running beside it as in the app.  Printed beside the
limit measured in the same run, the bare HTTP round trip to the same fake,
and beside the old path (the stored reply wakes the runner, which runs a whole
pass: webhooks, then per connection lock, tokens, settle, poll, send).

    python -m bench.reply_latency --database-url URL [--replies 50] [--baseline-tree DIR]

It works in a scratch database of its own on that server (made and dropped
here: the engine works every connection it finds).  ``--baseline-tree``: a
checkout of an older commit (e.g. ``git archive fc63ee5 | tar -x -C DIR``)
whose old path is measured too, by this same script run against its code.
Target (issue 16): Send → platform request under 50 ms plus the round trip.
"""

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from sqlalchemy import Engine

from snorq_desktop.boot.app import platform_clients
from snorq_desktop.demo.fakes.meta import FakeMeta
from snorq_desktop.demo.fakes.server import Request
from snorq_desktop.demo.fakes.tiktok import FakeTikTok
from snorq_desktop.domain.enums import MessageDirection, PlanType, Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.engine import SyncEngine
from snorq_desktop.sync.runner import SyncRunner

PHONE, PAGE, BUSINESS, CUSTOMER = "106540352242922", "1143561907842211", "bc-1", "447700900123"
PAUSE_BETWEEN = 0.3  # seconds: the pass a reply woke has ended before the next one


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def figures(values: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(values), "p95": percentile(values, 0.95)}


@contextmanager
def scratch_database(url: str) -> Iterator[Engine]:
    server = parse_database_url(url)
    name = f"snorq_reply_bench_{secrets.token_hex(4)}"
    admin_info = server.set(drivername="postgresql", database="postgres")
    conninfo = admin_info.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    engine = create_database_engine(server.set(database=name))
    try:
        upgrade_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class Shop:
    """One shop on the three fake platforms, with a WhatsApp conversation open
    (a customer wrote a minute ago), and the moments the fake got a reply."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self.cipher = TokenCipher(KeySet.fresh())
        self.meta, self.tiktok = FakeMeta(), FakeTikTok()
        self.meta.start()
        self.tiktok.start()
        self.meta.add_account(PHONE, "wa-token")
        self.meta.add_account(PAGE, "page-token")
        self.tiktok.add_account(BUSINESS, "tt-access", "tt-refresh")
        self.received: dict[str, float] = {}  # reply text -> perf_counter at the fake
        self.arrived = threading.Condition()
        respond = self.meta.respond

        def timed(request: Request) -> Any:
            if request.method == "POST" and request.path.endswith("/messages"):
                body = request.body if isinstance(request.body, dict) else {}
                text = str(body.get("text", {}).get("body", ""))
                with self.arrived:
                    self.received.setdefault(text, time.perf_counter())
                    self.arrived.notify_all()
            return respond(request)

        self.meta.respond = timed  # type: ignore[method-assign]
        with unit_of_work(self.sessions) as session:
            self.owner = orgs.create_user(session, email="bench@example.com", name="Bench")
            org = orgs.create_organization(
                session, owner_id=self.owner, name="Bench", slug="bench", plan=PlanType.PRO
            )
            for platform, account, token in (
                (Platform.WHATSAPP, PHONE, "wa-token"),
                (Platform.FACEBOOK, PAGE, "page-token"),
                (Platform.TIKTOK, BUSINESS, "tt-access"),
            ):
                connection = connect_platform(
                    session,
                    self.cipher,
                    organization_id=org,
                    account=PlatformAccount(platform, account, SecretToken(token)),
                )
                if platform is Platform.WHATSAPP:
                    whatsapp = connection
            result = ingest_messages(
                session,
                organization_id=org,
                connection_id=whatsapp,
                platform=Platform.WHATSAPP,
                messages=[
                    PlatformMessage(
                        platform=Platform.WHATSAPP,
                        account_id=PHONE,
                        conversation_id=CUSTOMER,
                        contact_id=CUSTOMER,
                        message_id="wamid.BENCH",
                        direction=MessageDirection.INBOUND,
                        sent_at=datetime.now(UTC),
                        content="Is the blue dress available?",
                    )
                ],
            )
        self.conversation_id = next(iter(result.changes.conversations))

    def wait_received(self, text: str, timeout: float = 30.0) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: text in self.received, timeout):
                raise TimeoutError(f"the fake never received {text!r}")
            return self.received[text]

    def stop(self) -> None:
        self.meta.stop()
        self.tiktok.stop()


class Passes:
    """When the runner's passes begin and end (both trees have pass_once)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.begun = self.ended = 0

    def follow(self, engine: SyncEngine) -> None:
        whole_pass = engine.pass_once

        async def followed() -> Any:
            with self._changed:
                self.begun += 1
            try:
                return await whole_pass()
            finally:
                with self._changed:
                    self.ended += 1
                    self._changed.notify_all()

        engine.pass_once = followed  # type: ignore[method-assign]

    def wait_idle(self, at_least: int = 0, timeout: float = 60.0) -> None:
        with self._changed:
            if not self._changed.wait_for(
                lambda: self.ended >= at_least and self.begun == self.ended, timeout
            ):
                raise TimeoutError("the sync pass never ended")


class LoopThread:
    """An asyncio loop on a thread of its own, as the window's loop is to its worker."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, work: Callable[[], Any]) -> Any:
        done: Future[Any] = Future()
        self.loop.call_soon_threadsafe(lambda: done.set_result(work()))
        return done.result(timeout=30)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


def measure(shop: Shop, replies: int, *, bell: bool) -> tuple[list[float], list[float]]:
    """Send → the fake receiving the request, and stored → received, for
    ``replies`` replies (3 more first, unmeasured).  ``bell``: the outbox
    sender's own wake-up (stored: when the service rings it, just after its
    commit); otherwise the old path, the runner woken for a whole pass once the
    service call has returned (stored: then)."""
    loop = LoopThread()
    journal = ReplyJournal(Path(tempfile.mkdtemp(prefix="snorq-bench-")) / "replies.json")
    ring: Callable[[], None] | None = None
    extra: dict[str, Any] = {}
    stored_at: list[float] = []
    if bell:
        from snorq_desktop.sync.outbox_sender import OutboxBell  # only in the new tree

        outbox_bell = OutboxBell()

        def ring() -> None:
            stored_at.append(time.perf_counter())
            outbox_bell.ring()

        extra = {"outbox_bell": outbox_bell}
    service = (
        InboxService(shop.sessions, journal, acting_user_id=shop.owner, reply_stored=ring)
        if ring is not None
        else InboxService(shop.sessions, journal, acting_user_id=shop.owner)
    )
    service.identity()

    passes = Passes()

    http = httpx.AsyncClient(timeout=30)  # as the app's root makes it

    def make_engine() -> SyncEngine:
        clients = platform_clients(http, shop.meta.url, shop.tiktok.url + "/open_api/v1.3")
        engine = SyncEngine(shop.engine, shop.sessions, shop.cipher, clients)
        passes.follow(engine)
        return engine

    runner = SyncRunner(make_engine, loop=loop.loop, interval=3600.0, **extra)
    loop.call(runner.start)
    passes.wait_idle(at_least=1)  # the first pass, at start, has ended
    run = secrets.token_hex(3)
    times, after_store = [], []
    for n in range(replies + 3):
        text = f"{run} reply {n}"
        # No pass running: the old runner forgot a wake that came during a pass.
        passes.wait_idle()
        stored_at.clear()
        started = time.perf_counter()
        service.send_reply(shop.conversation_id, new_id(), text)
        if not bell:
            stored_at.append(time.perf_counter())
            runner.wake()  # what the window did once the reply was stored
        arrived = shop.wait_received(text)
        if n >= 3:
            times.append((arrived - started) * 1000)
            after_store.append((arrived - stored_at[0]) * 1000)
        time.sleep(PAUSE_BETWEEN)
    task = loop.call(runner.stop)
    asyncio.run_coroutine_threadsafe(asyncio.wait_for(task, 30), loop.loop).result(timeout=35)
    loop.close()
    return times, after_store


def bare_round_trip(shop: Shop, samples: int) -> list[float]:
    """The limit: one POST of a reply to the same fake and its answer, nothing around it."""
    times = []
    with httpx.Client(timeout=10) as http:
        for n in range(samples + 3):
            body = {
                "messaging_product": "whatsapp",
                "to": CUSTOMER,
                "type": "text",
                "text": {"body": f"bare {n}"},
            }
            started = time.perf_counter()
            answer = http.post(
                f"{shop.meta.url}/v21.0/{PHONE}/messages",
                json=body,
                headers={"Authorization": "Bearer wa-token"},
            )
            answer.raise_for_status()
            if n >= 3:
                times.append((time.perf_counter() - started) * 1000)
    return times


def baseline(tree: Path, url: str, replies: int) -> dict[str, dict[str, float]]:
    """The old path measured by this script running on the older tree's code."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(Path.cwd())])}
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--database-url",
            url,
            "--replies",
            str(replies),
            "--old-path-only",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    result: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--replies", type=int, default=50)
    parser.add_argument("--baseline-tree", type=Path)
    parser.add_argument("--old-path-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with scratch_database(args.database_url) as engine:
        shop = Shop(engine)
        try:
            if args.old_path_only:
                total, after = measure(shop, args.replies, bell=False)
                print(json.dumps({"total": figures(total), "after": figures(after)}))
                return
            limit = figures(bare_round_trip(shop, args.replies))
            new_total, new_after = (figures(v) for v in measure(shop, args.replies, bell=True))
            old_total, old_after = (figures(v) for v in measure(shop, args.replies, bell=False))
        finally:
            shop.stop()
    before = (
        baseline(args.baseline_tree, args.database_url, args.replies)
        if args.baseline_tree
        else None
    )
    target = 50.0 + limit["p95"]

    def line(label: str, total: dict[str, float], after: dict[str, float]) -> None:
        print(
            f"{label:34s} Send -> platform p50 {total['p50']:6.1f} ms, p95 {total['p95']:6.1f} ms"
            f" ({total['p95'] / limit['p95']:4.1f}x round trip);  stored -> platform"
            f" p50 {after['p50']:6.1f} ms, p95 {after['p95']:6.1f} ms"
        )

    print(
        f"{'bare HTTP round trip to the fake':34s} p50 {limit['p50']:6.1f} ms, "
        f"p95 {limit['p95']:6.1f} ms   (the limit; {args.replies} replies each below)"
    )
    line("outbox sender, its own wake-up", new_total, new_after)
    line("old path: wake, whole pass (here)", old_total, old_after)
    if before is not None:
        line(f"old path: {args.baseline_tree}", before["total"], before["after"])
    print(f"target: Send -> platform p95 < 50 ms + round trip = {target:.1f} ms")


if __name__ == "__main__":
    main()
