"""The relay's guards at the front of each request (#13.4, #13.6), served by
uvicorn on loopback and logged in to the team database as ``snorq_relay``,
the role that may only INSERT into webhook_events: a body past 1 MB is refused
by its Content-Length before it is read, and cut off while streaming; absurd
signature headers and deeply nested JSON get 403 / 400, never a 500."""

import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
import uvicorn
from psycopg import sql
from sqlalchemy.engine import URL

from snorq_desktop.relay.app import MAX_BODY_BYTES, RelaySecrets, build_relay
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory

SECRETS = RelaySecrets(None, meta_app_secret="meta-secret", tiktok_app_secret="tiktok-secret")


@dataclass
class Relay:
    client: httpx.Client
    port: int
    admin: psycopg.Connection[tuple[object, ...]]

    def events(self) -> int:
        row = self.admin.execute("SELECT count(*) FROM webhook_events").fetchone()
        assert row is not None
        return int(str(row[0]))


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def relay(database_url: URL) -> Iterator[Relay]:
    password = secrets.token_urlsafe(16)
    with psycopg.connect(_conninfo(database_url), autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER ROLE snorq_relay LOGIN PASSWORD {}").format(sql.Literal(password))
        )
        engine = create_database_engine(database_url.set(username="snorq_relay", password=password))
        config = uvicorn.Config(
            build_relay(session_factory(engine), SECRETS),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "relay did not start"
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                yield Relay(client, port, admin)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()
            admin.execute("ALTER ROLE snorq_relay NOLOGIN PASSWORD NULL")


def _signed(raw: bytes) -> dict[str, str]:
    digest = hmac.new(b"meta-secret", raw, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def _response_status(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ")[1])


def test_the_relay_role_stores_an_event_it_cannot_read_back(relay: Relay) -> None:
    raw = json.dumps({"object": "page", "entry": [{"id": "PAGE-1", "messaging": []}]}).encode()
    first = relay.client.post("/webhooks/meta", content=raw, headers=_signed(raw))
    assert (first.status_code, first.text) == (200, "EVENT_RECEIVED")
    again = relay.client.post("/webhooks/meta", content=raw, headers=_signed(raw))
    assert (again.status_code, again.text) == (200, "DUPLICATE")
    routed = relay.admin.execute("SELECT accounts FROM webhook_events").fetchall()
    assert routed == [(["PAGE-1"],)]  # the members of PAGE-1's shop will see it


def test_a_body_declared_too_big_is_refused_before_it_is_sent(relay: Relay) -> None:
    with socket.create_connection(("127.0.0.1", relay.port), timeout=10) as sock:
        sock.sendall(
            b"POST /webhooks/meta HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
            b"Content-Length: 200000000\r\n\r\n"
        )
        # Not one byte of the 200 MB was sent, and the answer is already there.
        assert _response_status(sock) == 413
    assert relay.events() == 0


def test_a_streamed_body_is_cut_off_at_the_cap(relay: Relay) -> None:
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", relay.port), timeout=10) as sock:
        sock.sendall(
            b"POST /webhooks/meta HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sent = 0
        try:
            while sent <= MAX_BODY_BYTES + len(chunk):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the relay stopped reading: what we want
        assert _response_status(sock) == 413
    assert relay.events() == 0


def test_absurd_signature_headers_are_forbidden_not_a_crash(relay: Relay) -> None:
    raw = json.dumps({"event": "im_receive_msg", "user_openid": "biz"}).encode()
    for header in (f"t={'9' * 5000},s=abc", f"t=1,s={'a' * 5000}", "t=,s=", "nonsense"):
        answer = relay.client.post(
            "/webhooks/tiktok", content=raw, headers={"Tiktok-Signature": header}
        )
        assert answer.status_code == 403, header[:20]
    meta = relay.client.post(
        "/webhooks/meta", content=raw, headers={"X-Hub-Signature-256": "sha256=" + "0" * 5000}
    )
    assert meta.status_code == 403
    assert relay.events() == 0


def test_deeply_nested_json_is_malformed_not_a_crash(relay: Relay) -> None:
    for raw in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000):
        answer = relay.client.post("/webhooks/meta", content=raw, headers=_signed(raw))
        assert answer.status_code == 400 and "nested" in answer.text
    # Brackets inside strings are text, not nesting.
    raw = json.dumps({"object": "page", "entry": [], "note": "[" * 500}).encode()
    assert relay.client.post("/webhooks/meta", content=raw, headers=_signed(raw)).status_code in (
        200,
        400,
    )
    assert relay.events() <= 1
