"""The runner is the one owner of intake: the relay's NOTIFY wakes it (through
the listener), what it stored is handed over once through on_changes, and its
own NOTIFY carries the app's origin so the app can skip the echo."""

import asyncio
import time

import httpx

from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.team_notice import read_notice, team_channel
from snorq_desktop.sync.engine import SyncEngine
from snorq_desktop.sync.listener import ChangeListener
from snorq_desktop.sync.runner import SyncRunner
from tests.world import PHONE


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_a_relayed_webhook_wakes_the_intake_and_is_handed_over_once(world):
    passes: list[object] = []
    handed: list[Changes] = []
    heard: list[str] = []
    connected: list[object] = []

    async def go() -> None:
        http = httpx.AsyncClient(timeout=30)  # the root's one client, in the app

        def make_engine() -> SyncEngine:
            engine = SyncEngine(
                world.engine, world.sessions, world.cipher, world.clients(http), origin="app-1"
            )
            whole_pass = engine.pass_once

            async def counted():
                passes.append(None)
                return await whole_pass()

            engine.pass_once = counted  # type: ignore[method-assign]
            return engine

        loop = asyncio.get_running_loop()
        runner = SyncRunner(make_engine, loop=loop, interval=3600.0, on_changes=handed.append)
        conninfo = world.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        listener = ChangeListener(
            conninfo,
            team_channel(world.org),
            on_team_notice=heard.append,
            on_webhook=runner.take_in,
            on_connected=lambda: connected.append(None),
        )
        listener.start()
        runner.start()
        await _until(lambda: len(passes) == 1 and connected)
        await asyncio.sleep(0.3)  # the first pass is over
        world.meta.customer_writes(PHONE, "447700900123", "Do you ship to Porto?", name="Ana")
        await _until(lambda: any(changes.arrivals for changes in handed))
        await _until(lambda: bool(heard))
        await asyncio.sleep(0.3)  # room for a second hand-over, had there been one
        task = runner.stop()
        assert task is not None
        await task
        await http.aclose()
        listener.stop()

    asyncio.run(go())
    assert len(passes) == 1, "stored by the intake the NOTIFY woke, not by a pass"
    arrivals = [arrival for changes in handed for arrival in changes.arrivals]
    assert [preview for _, preview in arrivals] == ["Do you ship to Porto?"]
    origins = {read_notice(payload)[1] for payload in heard}
    assert not any("Porto" in payload for payload in heard), "a notice never carries words"
    assert origins == {"app-1"}, "the team hears it, tagged as this app's own"
