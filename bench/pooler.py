"""The relay and an app through PgBouncer (transaction mode, the shipped
packaging/pgbouncer/pgbouncer.ini) beside the same run straight to the server:
the relay's throughput (signed webhooks stored per second, several senders at
once) and the latency from a webhook at the relay to another app having stored
its message (woken by the relay's NOTIFY on its direct ``listen_url``, storing
through its own database URL).  Each figure is printed beside the direct one
measured in the same run, as a ratio.

    python -m bench.pooler --server-url postgresql://postgres:PW@127.0.0.1:5432/postgres

It makes a database of its own on that server (and drops it afterwards).
"""

import argparse
import hashlib
import hmac
import json
import secrets
import statistics
import threading
import time

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.team_notice import team_channel
from snorq_desktop.relay.app import RelaySecrets
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store.database import (
    create_database_engine,
    listen_conninfo,
    parse_database_url,
)
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.listener import ChangeListener
from snorq_desktop.sync.webhook_intake import store_pending_events
from tests.conftest import create_database, drop_database
from tests.pooler import pgbouncer_in_front_of
from tests.shop import account, open_shop, serving_relay
from tests.webhook_bodies import whatsapp_message

SECRET = "bench-secret"
PHONE_NUMBER_ID = "106540352242922"


def _signed(body: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": signature, "Content-Type": "application/json"}


def throughput(engine: Engine, run: str, webhooks: int, senders: int) -> float:
    """Webhooks stored per second by one relay, ``senders`` posting at once."""
    bodies = [
        _signed(whatsapp_message(n, wa_id=f"{run}-t{n}", phone_number_id=PHONE_NUMBER_ID))
        for n in range(webhooks)
    ]
    with serving_relay(session_factory(engine), RelaySecrets(None, SECRET, None)) as relay:
        with httpx.Client(base_url=relay) as warm:
            raw, headers = _signed(whatsapp_message(0, wa_id=f"{run}-warm"))
            warm.post("/webhooks/meta", content=raw, headers=headers)

        def send(share: list[tuple[bytes, dict[str, str]]]) -> None:
            with httpx.Client(base_url=relay, timeout=30) as client:
                for raw, headers in share:
                    answer = client.post("/webhooks/meta", content=raw, headers=headers)
                    assert answer.status_code == 200, answer.text

        threads = [
            threading.Thread(target=send, args=(bodies[i::senders],)) for i in range(senders)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    return webhooks / elapsed


def latency(engine: Engine, listen_on: str, run: str, samples: int) -> list[float]:
    """Milliseconds from a webhook posted at the relay to another app's intake
    having stored its message."""
    sessions = session_factory(engine)
    woken = threading.Event()
    stored: list[float] = []
    stop = threading.Event()

    def intake() -> None:
        while not stop.is_set():
            if not woken.wait(0.2):
                continue
            woken.clear()
            while (result := store_pending_events(sessions)).events:
                if result.messages:
                    stored.append(time.perf_counter())

    listening = threading.Event()
    listener = ChangeListener(
        listen_on,
        team_channel("bench-pooler"),  # no team notices here: only webhooks wake it
        on_team_notice=lambda _: None,
        on_webhook=woken.set,
        on_connected=listening.set,
    )
    listener.start()
    worker = threading.Thread(target=intake, daemon=True)
    worker.start()
    if not listening.wait(30):
        raise TimeoutError("the app never listened")
    times: list[float] = []
    relay_sessions = session_factory(engine)
    with (
        serving_relay(relay_sessions, RelaySecrets(None, SECRET, None)) as relay,
        httpx.Client(base_url=relay, timeout=30) as client,
    ):
        for n in range(samples + 3):  # the first three warm up both sides
            raw, headers = _signed(
                whatsapp_message(n, wa_id=f"{run}-l{n}", phone_number_id=PHONE_NUMBER_ID)
            )
            before = len(stored)
            started = time.perf_counter()
            assert client.post("/webhooks/meta", content=raw, headers=headers).status_code == 200
            deadline = started + 10
            while len(stored) == before:
                if time.perf_counter() > deadline:
                    raise TimeoutError("the other app never stored the message")
                time.sleep(0.0002)
            if n >= 3:
                times.append((stored[before] - started) * 1000)
    stop.set()
    listener.stop()
    worker.join()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _measure(
    label: str, url: URL, direct: URL, run: str, args: argparse.Namespace
) -> tuple[float, list[float]]:
    engine = create_database_engine(url)
    try:
        rate = throughput(engine, f"{run}-{label}", args.webhooks, args.senders)
        # The listener is always direct: LISTEN needs a session (listen_url).
        listen_on = listen_conninfo(url, direct.render_as_string(hide_password=False))
        times = latency(engine, listen_on, f"{run}-{label}", args.samples)
    finally:
        engine.dispose()
    return rate, times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-url", required=True)
    parser.add_argument("--webhooks", type=int, default=600)
    parser.add_argument("--senders", type=int, default=6)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    server = parse_database_url(args.server_url)
    name = f"snorq_bench_pooler_{secrets.token_hex(3)}"
    url = create_database(server, name)
    try:
        setup = create_database_engine(url)
        upgrade_schema(setup)
        with unit_of_work(session_factory(setup)) as session:
            open_shop(
                session, TokenCipher(KeySet.fresh()), [account(Platform.WHATSAPP, PHONE_NUMBER_ID)]
            )
        setup.dispose()
        run = f"b{int(time.time())}"
        with pgbouncer_in_front_of(url) as pooled:
            figures: dict[str, tuple[float, list[float]]] = {}
            # direct, pooled, then both again: the machine is shared, so each
            # figure is the better of two runs (the higher rate, the lower p50).
            order: list[tuple[str, URL]] = [("direct", url), ("pgbouncer", pooled)] * 2
            for round_, (label, address) in enumerate(order):
                rate, times = _measure(f"{label}{round_}", address, url, run, args)
                if label in figures:
                    best_rate, best_times = figures[label]
                    rate = max(rate, best_rate)
                    if statistics.median(best_times) < statistics.median(times):
                        times = best_times
                figures[label] = (rate, times)
        _report(figures, args)
        check = create_database_engine(url)
        with check.begin() as db:
            stored = db.execute(text("SELECT count(*) FROM webhook_events")).scalar()
        check.dispose()
        print(f"({stored} webhook events stored in all)")
    finally:
        drop_database(server, name)


def _report(figures: dict[str, tuple[float, list[float]]], args: argparse.Namespace) -> None:
    (direct_rate, direct_times), (pooled_rate, pooled_times) = (
        figures["direct"],
        figures["pgbouncer"],
    )

    def line(what: str, pooled: float, direct: float, unit: str) -> str:
        return (
            f"{what}: through PgBouncer {pooled:.1f} {unit}, "
            f"direct {direct:.1f} {unit}, ratio {pooled / direct:.2f}"
        )

    print(
        line(
            f"relay throughput ({args.webhooks} webhooks, {args.senders} senders)",
            pooled_rate,
            direct_rate,
            "webhooks/s",
        )
    )
    print(
        line(
            f"relay -> other app stored, p50 ({args.samples} webhooks)",
            statistics.median(pooled_times),
            statistics.median(direct_times),
            "ms",
        )
    )
    print(
        line(
            "relay -> other app stored, p95",
            percentile(pooled_times, 0.95),
            percentile(direct_times, 0.95),
            "ms",
        )
    )


if __name__ == "__main__":
    main()
