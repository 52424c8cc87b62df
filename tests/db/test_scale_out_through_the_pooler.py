"""The road to many shops (docs/scale-out.md), run through PgBouncer in
transaction mode in front of the test server, from the configuration the
project ships: two stateless relays behind one address store each event once,
two apps sending at once never send a reply twice, `sync --once` twice in a
row works the connections, and `db upgrade` runs through it."""

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from snorq_desktop.boot.cli import main
from snorq_desktop.relay.app import RelaySecrets
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.engine import SyncEngine
from tests import webhook_bodies as bodies
from tests.conftest import create_database, drop_database
from tests.pooler import pgbouncer_in_front_of
from tests.shop import every_platform, open_shop, serving_relay
from tests.world import PHONE, open_world, wait_for

SECRETS = RelaySecrets("v", "meta-app-secret", "tiktok-app-secret")


@pytest.fixture
def pooled_url(database_url: URL) -> Iterator[URL]:
    with pgbouncer_in_front_of(database_url) as url:
        yield url


def _engine(url: URL) -> Engine:
    return create_database_engine(url)


def _signed(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=True).encode()
    signature = "sha256=" + hmac.new(b"meta-app-secret", raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


def _advisory_locks(engine: Engine) -> int:
    with engine.begin() as db:
        return int(
            db.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
            or 0
        )


def test_two_relays_behind_one_address_store_each_event_once(engine, pooled_url):
    """Stateless relays: a platform retrying a webhook may reach either one."""
    first, second = _engine(pooled_url), _engine(pooled_url)
    bodies_sent = [bodies.whatsapp_message(n) for n in range(60)]
    statuses: list[int] = []
    try:
        with (
            serving_relay(session_factory(first), SECRETS) as one,
            serving_relay(session_factory(second), SECRETS) as two,
        ):

            def deliver(relays: tuple[str, ...]) -> None:
                with httpx.Client(timeout=10) as client:
                    for body in bodies_sent:
                        raw, headers = _signed(body)
                        for relay in relays:  # each webhook to both: the retry case
                            answer = client.post(
                                f"{relay}/webhooks/meta", content=raw, headers=headers
                            )
                            statuses.append(answer.status_code)

            senders = [
                threading.Thread(target=deliver, args=((one, two),)),
                threading.Thread(target=deliver, args=((two, one),)),
            ]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
    finally:
        first.dispose()
        second.dispose()
    assert set(statuses) == {200}, "no 503: nothing prepared, nothing on a session"
    assert len(statuses) == 4 * len(bodies_sent)
    with engine.begin() as db:
        stored = db.execute(
            text("SELECT count(*), count(DISTINCT dedupe_key) FROM webhook_events")
        ).one()
    assert tuple(stored) == (60, 60)


def test_two_apps_sending_at_once_through_the_pooler_send_each_reply_once(pooled_url):
    pooled = _engine(pooled_url)
    try:
        with open_world(pooled) as world:
            world.meta.customer_writes(PHONE, "447700900123", "Is the dress in stock?", name="Ana")
            # the relay stores it through the pooler; the pass takes it in
            wait_for(lambda: world.sql("SELECT count(*) FROM webhook_events")[0][0] == 1)
            world.run_pass()
            replies = [world.reply("447700900123", f"reply {n}") for n in range(12)]
            other = _engine(pooled_url)

            async def two_apps() -> list[Any]:
                async with httpx.AsyncClient(timeout=10) as http:
                    apps = [
                        SyncEngine(pooled, world.sessions, world.cipher, world.clients(http)),
                        SyncEngine(
                            other, session_factory(other), world.cipher, world.clients(http)
                        ),
                    ]
                    return await asyncio.gather(
                        *(
                            work
                            for app in apps
                            for work in (app.pass_once(), app.outbox.send_waiting())
                        )
                    )

            try:
                reports = asyncio.run(two_apps())
                again = world.run_pass()
            finally:
                other.dispose()
            sent = [message["text"] for message in world.meta.sent]
            assert sent == [f"reply {n}" for n in range(12)], "each once, in order"
            assert sum(report.sent for report in reports) + again.sent == 12
            # sent, and perhaps already delivered or read by the fake's status webhooks
            assert {world.status_of(reply)[0] for reply in replies} <= {"SENT", "DELIVERED", "READ"}
            assert len({world.status_of(reply)[1] for reply in replies}) == 12
    finally:
        pooled.dispose()


def test_sync_once_twice_in_a_row_through_the_pooler(database_url, pooled_url, engine, capsys):
    with unit_of_work(session_factory(engine)) as session:  # a shop with connections
        open_shop(session, TokenCipher(KeySet.fresh()), every_platform())
    pooled = pooled_url.render_as_string(hide_password=False)
    for _ in range(2):
        assert main(["--database-url", pooled, "sync", "--once"]) == 0
        said = capsys.readouterr().out
        assert "3 connection(s)" in said and "worked by another app" not in said, said
    assert _advisory_locks(engine) == 0
    with engine.begin() as db:
        assert db.execute(text("SELECT count(*) FROM work_leases")).scalar() == 0


def test_db_upgrade_through_the_pooler(server_url):
    name = "snorq_upgrade_through_pooler"
    url = create_database(server_url, name)
    try:
        with pgbouncer_in_front_of(url) as pooled:
            typed = pooled.render_as_string(hide_password=False)
            assert main(["--database-url", typed, "db", "upgrade"]) == 0
            assert main(["--database-url", typed, "db", "upgrade"]) == 0, "already there"
            assert main(["--database-url", typed, "db", "status"]) == 0
        direct = create_database_engine(url)
        try:
            assert _advisory_locks(direct) == 0
            with direct.begin() as db:
                assert db.execute(text("SELECT count(*) FROM work_leases")).scalar() == 0
        finally:
            direct.dispose()
    finally:
        drop_database(server_url, name)
