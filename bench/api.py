"""The REST API's requests per second (#18.5) for listing conversations and
for queueing a reply, beside the relay's webhook intake measured in the same
run on the same server, as ratios.  One client, one request at a time, over
real HTTP (uvicorn on 127.0.0.1), the API logged in as ``snorq_api`` under
row-level security.  Makes a BUSINESS shop of its own with ``--conversations``
conversations (set-based INSERT) and removes it after.

    python -m bench.api --database-url ADMIN_URL [--conversations 10000] [--seconds 5]
"""

import argparse
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx
from sqlalchemy import text

from snorq_desktop.domain.enums import MemberRole, PlanType, Platform
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.ids import new_id
from snorq_desktop.relay.api import ApiLimits
from snorq_desktop.relay.app import RelaySecrets, build_relay
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.services.api_keys import ApiKeyService
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.shop import account, open_shop, serving_app
from tests.webhook_bodies import whatsapp_message

SECRET = "bench-secret"
PASSWORD = "snorq-api-bench-password"


def rate(seconds: float, request: Callable[[int], httpx.Response]) -> float:
    """Requests per second over ``seconds`` (after a short warm-up)."""
    for n in range(20):
        request(-1 - n)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        response = request(done)
        assert response.status_code in (200, 201), response.text
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="an administrator's login")
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    url = parse_database_url(args.database_url)
    admin = create_database_engine(url)
    sessions = session_factory(admin)
    run = new_id()
    with unit_of_work(sessions) as session:
        shop = open_shop(
            session,
            TokenCipher(KeySet.fresh()),
            [account(Platform.WHATSAPP, f"bench-{run}")],
            email=f"bench-{run}@example.com",
            name="Bench shop",
            slug=f"bench-{run}",
            plan=PlanType.BUSINESS,
        )
    with admin.begin() as db:
        db.execute(
            text(
                """
                INSERT INTO conversations (id, organization_id, platform_connection_id,
                    platform, external_id, contact_external_id, contact_name,
                    last_message_preview, last_message_at)
                SELECT :run || '-' || n, :org, :conn, 'WHATSAPP', :run || '-ext-' || n,
                       'c-' || n, 'Customer ' || n, 'Hello ' || n,
                       now() - n * interval '1 second'
                FROM generate_series(1, :count) AS n
                """
            ),
            {
                "run": run,
                "org": shop.organization_id,
                "conn": shop.connections[Platform.WHATSAPP],
                "count": args.conversations,
            },
        )
        db.execute(text(f"ALTER ROLE snorq_api LOGIN PASSWORD '{PASSWORD}'"))
    owner = Identity(shop.organization_id, "Bench shop", shop.owner_id, "Bench")
    key = ApiKeyService(sessions).create(owner, "bench", MemberRole.ADMIN).key
    api_engine = create_database_engine(url.set(username="snorq_api", password=PASSWORD))
    app = build_relay(
        sessions,
        RelaySecrets(None, SECRET, None),
        api=session_factory(api_engine),
        api_limits=ApiLimits(requests_per_minute=10**9, burst=10**9),
    )
    auth = {"Authorization": f"Bearer {key}"}
    target = f"/api/v1/conversations/{run}-1/messages"
    try:
        with serving_app(app) as base, httpx.Client(base_url=base, timeout=30) as client:

            def webhook(n: int) -> httpx.Response:
                raw = json.dumps(whatsapp_message(n, wa_id=f"{run}-wh-{n}")).encode()
                signature = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
                return client.post(
                    "/webhooks/meta",
                    content=raw,
                    headers={"X-Hub-Signature-256": f"sha256={signature}"},
                )

            def listing(_: int) -> httpx.Response:
                return client.get("/api/v1/conversations", params={"limit": "50"}, headers=auth)

            def sending(n: int) -> httpx.Response:
                return client.post(
                    target,
                    json={"text": f"Your order {n} shipped"},
                    headers={**auth, "Idempotency-Key": f"{run}-{n}"},
                )

            relay = rate(args.seconds, webhook)
            listed = rate(args.seconds, listing)
            sent = rate(args.seconds, sending)
    finally:
        with admin.begin() as db:
            db.execute(text("DELETE FROM organizations WHERE id = :o"), {"o": shop.organization_id})
            db.execute(text("DELETE FROM users WHERE id = :u"), {"u": shop.owner_id})
            db.execute(
                text("DELETE FROM webhook_events WHERE convert_from(body, 'UTF8') LIKE :p"),
                {"p": f"%{run}%"},
            )
            db.execute(text("ALTER ROLE snorq_api NOLOGIN PASSWORD NULL"))
        api_engine.dispose()
        admin.dispose()
    print(f"one client, one request at a time; {args.conversations:,} conversations")
    print(f"relay  POST /webhooks/meta                {relay:8.0f} req/s   (the yardstick)")
    print(
        f"API    GET  /conversations?limit=50      {listed:8.0f} req/s   ratio {listed / relay:.2f}x the relay"
    )
    print(
        f"API    POST /conversations/{{id}}/messages {sent:8.0f} req/s   ratio {sent / relay:.2f}x the relay"
    )


if __name__ == "__main__":
    main()
