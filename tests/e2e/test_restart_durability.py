"""1,000 webhooks with a PostgreSQL restart in the middle: the relay answers 200
only for what it stored, the platform redelivers the rest, and in the end every
message is stored exactly once."""

import hashlib
import hmac
import json
import threading
import time
from contextlib import ExitStack

import httpx
import pytest
from sqlalchemy import text

from snorq_desktop.domain.enums import Platform
from snorq_desktop.relay.app import RelaySecrets
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.embedded import EmbeddedServer
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.webhook_intake import store_pending_events
from tests import webhook_bodies as bodies
from tests.shop import account, open_shop, serving_relay

EVENTS = 1000


@pytest.mark.slow
def test_a_restart_in_the_middle_loses_nothing_and_duplicates_nothing(tmp_path):
    folder = tmp_path / "pg"
    server = EmbeddedServer(folder)
    url = server.start()
    engine = create_database_engine(url)
    stack = ExitStack()
    try:
        upgrade_schema(engine)
        sessions = session_factory(engine)
        with unit_of_work(sessions) as session:
            open_shop(
                session,
                TokenCipher(KeySet.fresh()),
                [account(Platform.WHATSAPP, "106540352242922")],
                email="o@example.com",
            )
        base = stack.enter_context(
            serving_relay(sessions, RelaySecrets(None, "meta-secret", None), log_level="critical")
        )
        with engine.connect() as connection:
            started = connection.execute(text("SELECT pg_postmaster_start_time()")).scalar()
        refused = 0
        with httpx.Client(base_url=base, timeout=10) as client:
            for n in range(EVENTS):
                if n == EVENTS // 2:
                    # Restart the server under the relay's feet (same port, same data)
                    # while the deliveries go on.
                    restart = threading.Thread(
                        target=server._pg_ctl,
                        args=(
                            "restart",
                            "-w",
                            "-m",
                            "fast",
                            "-t",
                            "60",
                            "-l",
                            str(server.pgdata / "server.log"),
                        ),
                    )
                    restart.start()
                raw = json.dumps(bodies.whatsapp_message(n, wa_id=f"4477009{n % 50:05d}")).encode()
                signature = "sha256=" + hmac.new(b"meta-secret", raw, hashlib.sha256).hexdigest()
                for _attempt in range(200):  # Meta redelivers until it gets a 200
                    try:
                        answer = client.post(
                            "/webhooks/meta",
                            content=raw,
                            headers={"X-Hub-Signature-256": signature},
                        )
                        if answer.status_code == 200:
                            break
                        refused += 1
                    except httpx.TransportError:
                        refused += 1
                    time.sleep(0.05)
                else:
                    pytest.fail(f"webhook {n} was never accepted")
        restart.join(timeout=60)
        while store_pending_events(sessions).events:
            pass
        with engine.connect() as connection:
            events = connection.execute(
                text("SELECT count(*), count(processed_at) FROM webhook_events")
            ).one()
            messages = connection.execute(
                text("SELECT count(*), count(DISTINCT external_id) FROM messages")
            ).one()
            unread = connection.execute(
                text("SELECT sum(unread_count) FROM conversations")
            ).scalar()
            started_again = connection.execute(text("SELECT pg_postmaster_start_time()")).scalar()
        assert tuple(events) == (EVENTS, EVENTS)
        assert tuple(messages) == (EVENTS, EVENTS)
        assert unread == EVENTS
        assert started is not None
        assert started_again is not None
        assert started_again > started, "the server really restarted mid-way"
    finally:
        stack.close()  # the relay
        engine.dispose()
        server.release()
