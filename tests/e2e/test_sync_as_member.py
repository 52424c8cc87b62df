"""The sync pass and the relay as a real team's logins (#13): the relay as
``snorq_relay`` (INSERT into webhook_events only), the sync pass and the
replies as the shop owner's own database login, under row-level security.
The round trips are test_sync_engine's own, run again on this world."""

import secrets
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
import uvicorn
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from snorq_desktop.relay.app import RelaySecrets, build_relay
from snorq_desktop.secrets.member_login import new_password, scram_verifier
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.e2e.test_sync_engine import (
    test_messenger_by_polling_with_the_human_agent_tag_after_a_day,
    test_tiktok_round_trip_by_polling,
    test_whatsapp_round_trip_inbound_reply_and_ticks,
)
from tests.world import World

__all__ = [
    "test_messenger_by_polling_with_the_human_agent_tag_after_a_day",
    "test_tiktok_round_trip_by_polling",
    "test_whatsapp_round_trip_inbound_reply_and_ticks",
]


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def world(engine: Engine, database_url: URL) -> Iterator[World]:
    relay_password = secrets.token_urlsafe(16)
    with psycopg.connect(_conninfo(database_url), autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER ROLE snorq_relay LOGIN PASSWORD {}").format(sql.Literal(relay_password))
        )
    relay_engine = create_database_engine(
        database_url.set(username="snorq_relay", password=relay_password)
    )
    app = build_relay(
        session_factory(relay_engine), RelaySecrets("v", "meta-app-secret", "tiktok-app-secret")
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    made = World(engine, f"http://127.0.0.1:{port}")  # the shop, set up by the administrator
    password = new_password()
    with unit_of_work(made.sessions) as session:
        login = orgs.issue_login(session, user_id=made.owner, verifier=scram_verifier(password))
    assert login is not None
    # From here on, everything the world does goes through the owner's own login.
    member = create_database_engine(database_url.set(username=login, password=password))
    made.engine, made.sessions = member, session_factory(member)
    yield made
    made.stop()
    server.should_exit = True
    thread.join(timeout=10)
    member.dispose()
    relay_engine.dispose()
    with psycopg.connect(_conninfo(database_url), autocommit=True) as admin:
        admin.execute("ALTER ROLE snorq_relay NOLOGIN PASSWORD NULL")
