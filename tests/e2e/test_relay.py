"""The relay over real HTTP on 127.0.0.1, against the real test database, and
`sync --once` storing what it received through the ingest path."""

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snorq_desktop.boot.cli import main
from snorq_desktop.domain.enums import MessageDirection, Platform
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.relay.app import RelaySecrets
from snorq_desktop.store.ingest import ingest_messages
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.sync.webhook_intake import store_pending_events
from tests import webhook_bodies as bodies
from tests.shop import invited_login, serving_relay

SECRETS = RelaySecrets(
    meta_verify_token="verify-me", meta_app_secret="meta-secret", tiktok_app_secret="tiktok-secret"
)


def meta_signature(raw: bytes, secret: str = "meta-secret") -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def tiktok_signature(raw: bytes, stamp: int, secret: str = "tiktok-secret") -> str:
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"t={stamp},s={digest}"


@pytest.fixture
def relay(shop):
    """The relay served by uvicorn on a free loopback port."""
    with (
        serving_relay(shop.sessions, SECRETS) as url,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        yield client


def events(shop) -> int:
    return shop.sql("SELECT count(*) FROM webhook_events")[0][0]


def post_meta(relay, body: dict[str, Any], *, signature: str | None = None) -> httpx.Response:
    raw = json.dumps(body, ensure_ascii=True).encode()
    return relay.post(
        "/webhooks/meta",
        content=raw,
        headers={
            "X-Hub-Signature-256": signature or meta_signature(raw),
            "Content-Type": "application/json",
        },
    )


def test_meta_verification_handshake(relay):
    ok = relay.get(
        "/webhooks/meta",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "verify-me",
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = relay.get(
        "/webhooks/meta",
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403
    assert relay.get("/health").json() == {"status": "ok"}


def test_a_signed_webhook_is_stored_once_and_a_forged_or_non_json_one_not_at_all(relay, shop):
    body = bodies.whatsapp_message()
    assert post_meta(relay, body).status_code == 200
    assert post_meta(relay, body).text == "DUPLICATE"
    assert events(shop) == 1
    assert (
        post_meta(relay, bodies.whatsapp_message(2), signature="sha256=" + "0" * 64).status_code
        == 403
    )
    raw = b'{"object": "whatsapp_business_account", "entry": [}'
    malformed = relay.post(
        "/webhooks/meta", content=raw, headers={"X-Hub-Signature-256": meta_signature(raw)}
    )
    assert malformed.status_code == 400
    assert events(shop) == 1
    # Signed JSON in a shape we do not know is kept, not refused: the platform sent
    # it, and a refused body is lost.  The apps skip (and log) what they cannot use.
    unknown_shape = {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"field": "messages", "value": {"metadata": {}}}]}],
    }
    assert post_meta(relay, unknown_shape).status_code == 200
    assert events(shop) == 2


def test_the_raw_bytes_are_what_is_signed_and_kept(relay, shop):
    # Meta escapes non-ASCII before signing; the relay must not re-serialise.
    raw = (
        json.dumps(
            bodies.whatsapp_message(text="Olá! Vocês entregam em Lisboa? 🇵🇹"), ensure_ascii=True
        )
        .replace("/", "\\/")
        .encode()
    )
    response = relay.post(
        "/webhooks/meta", content=raw, headers={"X-Hub-Signature-256": meta_signature(raw)}
    )
    assert response.status_code == 200
    assert bytes(shop.sql("SELECT body FROM webhook_events")[0][0]) == raw


def test_tiktok_webhooks_signed_fresh_or_refused(relay, shop):
    raw = json.dumps(bodies.tiktok_message()).encode()
    now = int(time.time())
    ok = relay.post(
        "/webhooks/tiktok", content=raw, headers={"Tiktok-Signature": tiktok_signature(raw, now)}
    )
    assert ok.status_code == 200
    stale = relay.post(
        "/webhooks/tiktok",
        content=raw,
        headers={"Tiktok-Signature": tiktok_signature(raw, now - 3600)},
    )
    assert stale.status_code == 403
    assert events(shop) == 1


def test_sync_once_stores_the_relayed_message_and_status_ticks(relay, shop, capsys):
    shop.sql(
        "UPDATE platform_connections SET platform_user_id = '106540352242922' "
        "WHERE platform = 'WHATSAPP'"
    )
    assert post_meta(relay, bodies.whatsapp_message(1)).status_code == 200
    assert post_meta(relay, bodies.whatsapp_message(2, text="Still there?")).status_code == 200
    # As a MEMBER's own login, made as the app makes one for an invite (#13).
    member = invited_login(shop.engine, shop.organization_id, shop.owner_id)
    url = member.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "sync", "--once"]) == 0
    assert "Stored 2 new message(s) (2 webhook event(s))" in capsys.readouterr().out
    row = shop.sql(
        "SELECT contact_name, unread_count, last_message_preview FROM conversations "
        "WHERE external_id = '447700900123'"
    )
    assert row == [("Ana Souza", 2, "Still there?")]
    # a reply of ours, then its status events out of order and twice
    with unit_of_work(shop.sessions) as session:
        ingest_messages(
            session,
            organization_id=shop.organization_id,
            connection_id=shop.connections[Platform.WHATSAPP],
            platform=Platform.WHATSAPP,
            messages=[
                PlatformMessage(
                    platform=Platform.WHATSAPP,
                    account_id="106540352242922",
                    conversation_id="447700900123",
                    contact_id="447700900123",
                    message_id="wamid.OURS",
                    direction=MessageDirection.OUTBOUND,
                    sent_at=bodies_time(),
                    content="Yes, we do!",
                )
            ],
        )
    for status in ("read", "delivered", "delivered", "sent"):
        assert post_meta(relay, bodies.whatsapp_status("wamid.OURS", status)).status_code == 200
    assert main(["--database-url", url, "sync", "--once"]) == 0
    assert shop.sql("SELECT status::text FROM messages WHERE external_id = 'wamid.OURS'") == [
        ("READ",)
    ]
    assert shop.sql("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == [(0,)]


def bodies_time():
    from datetime import UTC, datetime

    return datetime(2025, 11, 24, 16, 0, tzinfo=UTC)


def test_a_webhook_and_a_poll_of_the_same_message_store_it_once(relay, shop):
    shop.sql(
        "UPDATE platform_connections SET platform_user_id = '106540352242922' "
        "WHERE platform = 'WHATSAPP'"
    )
    post_meta(relay, bodies.whatsapp_message(7))
    url = shop.engine.url.render_as_string(hide_password=False)
    parsed = PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id="106540352242922",
        conversation_id="447700900123",
        contact_id="447700900123",
        message_id="wamid.HBgM7",
        direction=MessageDirection.INBOUND,
        sent_at=bodies_time(),
        content="Hi! Is the blue dress available?",
    )
    with unit_of_work(shop.sessions) as session:  # the "poll" got there first
        ingest_messages(
            session,
            organization_id=shop.organization_id,
            connection_id=shop.connections[Platform.WHATSAPP],
            platform=Platform.WHATSAPP,
            messages=[parsed],
        )
    assert main(["--database-url", url, "sync", "--once"]) == 0
    assert shop.sql("SELECT count(*) FROM messages WHERE external_id = 'wamid.HBgM7'") == [(1,)]


def test_events_for_an_unknown_account_are_kept_with_the_reason(relay, shop, capsys):
    post_meta(relay, bodies.whatsapp_message(phone_number_id="999"))
    url = shop.engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "sync", "--once"]) == 0
    assert "1 webhook event(s) named an account no organisation has connected" in (
        capsys.readouterr().out
    )
    assert shop.sql("SELECT error FROM webhook_events") == [("1 event(s) for no connection",)]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def test_ten_thousand_forged_or_odd_requests_refused_or_kept_and_never_crash_intake(relay, shop):
    """Generated bodies, half with forged signatures, half correctly signed, over
    real HTTP: a forged one is refused (403), a signed one that is not JSON too
    (400), a signed JSON body of any shape is kept (200) -- and storing what was
    kept raises nothing and writes no message."""
    client = relay
    seen = {"forged": 0, "malformed": 0, "kept": 0}

    @settings(
        max_examples=5000,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        body=json_values | st.binary(max_size=64).map(lambda b: b.hex()),
        forge=st.booleans(),
        tiktok=st.booleans(),
    )
    def one_request(body, forge, tiktok):
        raw = body.encode() if isinstance(body, str) and not forge else json.dumps(body).encode()
        if tiktok:
            stamp = int(time.time())
            header = tiktok_signature(raw, stamp, "wrong" if forge else "tiktok-secret")
            response = client.post(
                "/webhooks/tiktok", content=raw, headers={"Tiktok-Signature": header}
            )
        else:
            header = meta_signature(raw, "wrong" if forge else "meta-secret")
            response = client.post(
                "/webhooks/meta", content=raw, headers={"X-Hub-Signature-256": header}
            )
        if forge:
            assert response.status_code == 403
            seen["forged"] += 1
        elif _is_json(raw):
            assert response.status_code == 200
            seen["kept"] += 1
        else:
            assert response.status_code == 400
            seen["malformed"] += 1

    for _ in range(2):
        one_request()
    assert sum(seen.values()) >= 9_000
    assert seen["forged"] and seen["malformed"] and seen["kept"]
    kept = events(shop)
    assert 0 < kept <= seen["kept"]
    while store_pending_events(shop.sessions).events:
        pass
    assert shop.sql("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == [(0,)]
    assert shop.sql("SELECT count(*) FROM messages") == [(0,)]
