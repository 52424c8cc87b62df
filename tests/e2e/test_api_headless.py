"""Replies posted through the REST API go out with no window open (#18.3): the
server's headless sender (`sync --forever`'s loop) sends them to the fake
platform exactly once, across a retried POST, even with a second sender
working beside it under the same connection locks."""

import asyncio

import httpx
import pytest

from snorq_desktop.boot.cli import main
from snorq_desktop.sync.engine import SyncEngine
from snorq_desktop.sync.forever import sync_forever
from tests.api_world import api_client, api_login, bearer, make_key
from tests.world import PHONE


def test_a_reply_posted_through_the_api_reaches_the_platform_once_with_no_window(
    world, database_url
):
    world.sql("UPDATE organizations SET plan = 'BUSINESS'")
    world.meta.customer_writes(PHONE, "447700900123", "Where is my parcel?", name="Ana")
    world.run_pass()
    [(conversation,)] = world.sql("SELECT id FROM conversations")
    key = make_key(world.sessions, world.org, world.owner)
    answer = "It ships today: https://track.example/AB12"
    with api_login(world.engine, database_url) as api_sessions, api_client(api_sessions) as http:
        statuses = [
            http.post(
                f"/conversations/{conversation}/messages",
                json={"text": answer},
                headers={**bearer(key), "Idempotency-Key": "order-4711-shipped"},
            ).status_code
            for _ in range(2)  # the shop's system retries: it never saw the first answer
        ]
    assert statuses == [201, 200]

    async def two_servers() -> list[int]:
        async with httpx.AsyncClient(timeout=5) as client:
            senders = [
                SyncEngine(
                    world.engine, world.sessions, world.cipher, world.clients(client), origin=name
                )
                for name in ("server", "second-server")
            ]
            stop = asyncio.Event()
            return await asyncio.gather(
                *(sync_forever(s, every=0.01, stop=stop, passes=3) for s in senders)
            )

    assert asyncio.run(two_servers()) == [3, 3]
    assert [sent["text"] for sent in world.meta.sent] == [answer]
    [(status, sender, external_id)] = world.sql(
        "SELECT status::text, sent_by_user_id, external_id FROM messages "
        "WHERE direction = 'OUTBOUND'"
    )
    assert status in ("SENT", "DELIVERED", "READ")  # the fake's ticks may have come back
    assert (sender, external_id) == (world.owner, world.meta.sent[0]["id"])


def test_sync_forever_needs_a_pause_above_zero(database_url, capsys):
    url = database_url.render_as_string(hide_password=False)
    with pytest.raises(SystemExit) as refused:
        main(["--database-url", url, "sync", "--forever", "--every", "0"])
    assert refused.value.code == 2
    assert "'0' is not a number of seconds above 0" in capsys.readouterr().err


def test_the_relay_never_serves_the_api_as_a_superuser(database_url, capsys):
    administrator = database_url.render_as_string(hide_password=False)
    code = main(["--database-url", administrator, "relay", "--api-database-url", administrator])
    assert code == 1
    said = capsys.readouterr().err
    assert "The API logs in as snorq_api" in said and "not as postgres" in said
