"""From a webhook arriving at the relay to the message showing in an open app's
inbox (offscreen window; its sync runner stores it, woken by the relay's
NOTIFY), beside the raw LISTEN/NOTIFY round trip.  Runs on the
big shop of bench/dataset.py (its WhatsApp connection's account id is "WHATSAPP").

    QT_QPA_PLATFORM=offscreen python -m bench.relay_latency --database-url URL [--samples 50]
"""

import argparse
import asyncio
import gc
import hashlib
import hmac
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import qasync
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from bench.dataset import conninfo
from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import build_window
from snorq_desktop.relay.app import RelaySecrets
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.unit_of_work import session_factory
from tests.shop import serving_relay
from tests.webhook_bodies import whatsapp_message


def notify_round_trip(url: str, samples: int) -> list[float]:
    listener = psycopg.connect(conninfo(url), autocommit=True)
    sender = psycopg.connect(conninfo(url), autocommit=True)
    listener.execute("LISTEN bench_ping")
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        sender.execute("NOTIFY bench_ping")
        next(listener.notifies(timeout=5, stop_after=1))
        times.append((time.perf_counter() - started) * 1000)
    listener.close()
    sender.close()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    engine = create_database_engine(parse_database_url(args.database_url))
    sessions = session_factory(engine)
    secret = "bench-secret"
    relay = serving_relay(sessions, RelaySecrets(None, secret, None))
    relay_url = relay.__enter__()

    app = QApplication.instance() or QApplication([])
    paths = AppPaths.resolve(Path(tempfile.mkdtemp(prefix="snorq-bench-")))
    paths.create()
    # The window's own loop, as the app runs it: its sync runner alone stores what
    # the relay received (woken by the NOTIFY), and shows it through on_changes.
    loop = qasync.QEventLoop(app, already_running=True)
    executor = qasync.QThreadExecutor(4)
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    running = build_window(
        Database(engine, sessions, "bench", embedded=False),
        paths,
        demo=False,
        sync_interval=3600.0,
        loop=loop,
    )
    running.window.show()
    gc.freeze()
    inbox = running.window.inbox
    deadline = time.monotonic() + 10
    while inbox.rowCount() == 0 and time.monotonic() < deadline:
        app.processEvents()
    time.sleep(0.5)
    app.processEvents()

    run = f"lat{int(time.time())}"
    latencies = []
    with httpx.Client(base_url=relay_url) as client:
        for n in range(args.samples):
            body = whatsapp_message(
                n, phone_number_id="WHATSAPP", wa_id=f"{run}-{n}", timestamp=int(time.time()) + 3600
            )
            raw = json.dumps(body).encode()
            signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            started = time.perf_counter()
            response = client.post(
                "/webhooks/meta", content=raw, headers={"X-Hub-Signature-256": signature}
            )
            assert response.status_code == 200, response.text
            target = f"{run}-{n}"
            while True:
                app.processEvents()
                top = inbox.summary_at(0)
                if (
                    top is not None
                    and top.contact_name == "Ana Souza"
                    and inbox.row_of(top.id) == 0
                ):
                    with sessions() as session:
                        external = session.execute(
                            text("SELECT external_id FROM conversations WHERE id = :i"),
                            {"i": top.id},
                        ).scalar()
                    if external == target:
                        break
                if time.perf_counter() - started > 10:
                    raise TimeoutError("the message never showed")
                time.sleep(0.0005)
            latencies.append((time.perf_counter() - started) * 1000)
    running.close()
    executor.shutdown(wait=True)
    asyncio.events._set_running_loop(None)  # not loop.stop(): see tests/e2e/conftest.py
    relay.__exit__(None, None, None)
    raw_notify = notify_round_trip(args.database_url, 200)
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    print(
        f"webhook at the relay -> shown in the app's inbox: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        f"   (target p95 250 ms; {len(latencies)} webhooks)"
    )
    print(
        f"raw LISTEN/NOTIFY round trip:                         p50 {statistics.median(raw_notify):.2f} ms, "
        f"p95 {percentile(raw_notify, 0.95):.2f} ms   ratio p95 {p95 / percentile(raw_notify, 0.95):.0f}x"
    )
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM conversations WHERE external_id LIKE :p"), {"p": f"{run}%"}
        )
        connection.execute(text("DELETE FROM webhook_events"))
    engine.dispose()


if __name__ == "__main__":
    main()
