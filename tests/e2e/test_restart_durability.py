"""1,000 webhooks with a PostgreSQL restart in the middle: the relay answers 200
only for what it stored, the platform redelivers the rest, and in the end every
message is stored exactly once."""

import hashlib
import hmac
import json
import threading
import time

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from snorq_desktop.domain.enums import PlanType, Platform
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.relay.app import RelaySecrets, build_relay
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.embedded import EmbeddedServer
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.webhook_intake import store_pending_events
from tests import webhook_bodies as bodies

EVENTS = 1000


@pytest.mark.slow
def test_a_restart_in_the_middle_loses_nothing_and_duplicates_nothing(tmp_path):
    folder = tmp_path / "pg"
    server = EmbeddedServer(folder)
    url = server.start()
    engine = create_database_engine(url)
    relay = None
    try:
        upgrade_schema(engine)
        sessions = session_factory(engine)
        with unit_of_work(sessions) as session:
            owner = orgs.create_user(session, email="o@example.com")
            org = orgs.create_organization(
                session, owner_id=owner, name="S", slug="s", plan=PlanType.PRO
            )
            connect_platform(
                session,
                TokenCipher(KeySet.fresh()),
                organization_id=org,
                account=PlatformAccount(
                    platform=Platform.WHATSAPP,
                    platform_user_id="106540352242922",
                    access_token=SecretToken("t"),
                ),
            )
        relay = uvicorn.Server(
            uvicorn.Config(
                build_relay(sessions, RelaySecrets(None, "meta-secret", None)),
                host="127.0.0.1",
                port=0,
                log_level="critical",
                lifespan="off",
            )
        )
        threading.Thread(target=relay.run, daemon=True).start()
        while not relay.started:
            time.sleep(0.01)
        with engine.connect() as connection:
            started = connection.execute(text("SELECT pg_postmaster_start_time()")).scalar()
        base = f"http://127.0.0.1:{relay.servers[0].sockets[0].getsockname()[1]}"
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
        if relay is not None:
            relay.should_exit = True
        engine.dispose()
        server.release()
