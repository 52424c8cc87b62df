"""The outbox sender: a stored reply is claimed and sent at once, on its own
wake-up (no pass first), and the outbox's guarantees hold whoever sends."""

import asyncio
import time

import httpx

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.sync.connection_lock import ConnectionLocks
from snorq_desktop.sync.engine import SyncEngine
from snorq_desktop.sync.outbox_sender import OutboxBell
from snorq_desktop.sync.runner import SyncRunner
from tests.world import PHONE, World


def _conversation(world: World) -> str:
    world.meta.customer_writes(PHONE, "447700900123", "Is the blue dress available?", name="Ana")
    deadline = time.monotonic() + 5
    while not world.sql("SELECT count(*) FROM webhook_events")[0][0]:
        assert time.monotonic() < deadline, "the relay never stored the webhook"
        time.sleep(0.02)
    world.run_pass()
    return str(world.sql("SELECT id FROM conversations")[0][0])


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_a_stored_reply_is_sent_at_once_without_waiting_for_a_pass(world, tmp_path):
    conversation = _conversation(world)
    bell = OutboxBell()
    service = InboxService(
        world.sessions, ReplyJournal(tmp_path / "journal.json"), reply_stored=bell.ring
    )
    passes: list[object] = []

    async def go() -> None:
        http = httpx.AsyncClient(timeout=30)  # the root's one client, in the app

        def make_engine() -> SyncEngine:
            engine = SyncEngine(world.engine, world.sessions, world.cipher, world.clients(http))
            whole_pass = engine.pass_once

            async def counted():
                passes.append(None)
                return await whole_pass()

            engine.pass_once = counted  # type: ignore[method-assign]
            return engine

        loop = asyncio.get_running_loop()
        # An hour between passes: only the sender's own wake-up can send it now.
        runner = SyncRunner(make_engine, loop=loop, interval=3600.0, outbox_bell=bell)
        runner.start()
        await _until(lambda: len(passes) == 1)
        await asyncio.sleep(0.3)  # the first pass is over
        await asyncio.to_thread(service.send_reply, conversation, new_id(), "Yes! Size M?")
        await _until(lambda: len(world.meta.sent) == 1)
        task = runner.stop()
        assert task is not None
        await task
        await http.aclose()

    asyncio.run(go())
    assert [sent["text"] for sent in world.meta.sent] == ["Yes! Size M?"]
    assert len(passes) == 1, "sent by the outbox sender, not by a pass"
    assert world.sql("SELECT status::text FROM messages WHERE content = 'Yes! Size M?'") == [
        ("SENT",)
    ]


def test_the_sender_and_a_pass_at_once_send_each_reply_once_and_in_order(world):
    conversation = _conversation(world)
    replies = [world.reply("447700900123", f"reply {n}") for n in range(10)]
    assert conversation

    async def go():
        async with httpx.AsyncClient(timeout=5) as http:
            engine = SyncEngine(world.engine, world.sessions, world.cipher, world.clients(http))
            return await asyncio.gather(
                engine.pass_once(), engine.outbox.send_waiting(), engine.outbox.send_waiting()
            )

    reports = asyncio.run(go())
    assert sum(report.sent for report in reports) == 10
    assert sum(report.skipped_locked for report in reports) == 0, "one app shares its lock"
    assert [sent["text"] for sent in world.meta.sent] == [f"reply {n}" for n in range(10)]
    assert {world.status_of(reply)[0] for reply in replies} == {"SENT"}


def test_a_reply_waits_while_another_app_works_the_connection(world):
    _conversation(world)
    world.reply("447700900123", "hello")

    async def go():
        other_app = ConnectionLocks(world.engine)
        async with httpx.AsyncClient(timeout=5) as http:
            engine = SyncEngine(world.engine, world.sessions, world.cipher, world.clients(http))
            async with other_app.hold(world.connections[Platform.WHATSAPP]) as held:
                assert held
                while_held = await engine.outbox.send_waiting()
            after = await engine.outbox.send_waiting()
        return while_held, after

    while_held, after = asyncio.run(go())
    assert (while_held.skipped_locked, while_held.sent) == (1, 0)
    assert (after.skipped_locked, after.sent) == (0, 1)
    assert [sent["text"] for sent in world.meta.sent] == ["hello"]


def test_the_bell_keeps_a_ring_until_a_sender_listens():
    bell, heard = OutboxBell(), []
    bell.ring()  # a reply stored before the sender started
    bell.listen(lambda: heard.append("first"))
    bell.ring()
    bell.stop_listening()
    bell.ring()
    bell.listen(lambda: heard.append("second"))
    assert heard == ["first", "first", "second"]
