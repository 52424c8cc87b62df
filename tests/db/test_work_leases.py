"""Work leases (store/leases.py): one app at a time works a connection, the
holder renews its claim, an expired or crashed app's claim is taken over, and
nothing stays behind on a pooler's server connections."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from snorq_desktop.domain.enums import Platform
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import leases
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.pooler import pgbouncer_in_front_of
from tests.shop import ShopIds, every_platform, open_shop


@pytest.fixture
def shop(engine: Engine) -> ShopIds:
    with unit_of_work(session_factory(engine)) as session:
        return open_shop(session, TokenCipher(KeySet.fresh()), every_platform())


@pytest.fixture
def pooled_engine(database_url: URL) -> Iterator[Engine]:
    with pgbouncer_in_front_of(database_url) as url:
        engine = create_database_engine(url)
        yield engine
        engine.dispose()


def _whatsapp(shop: ShopIds) -> str:
    return shop.connections[Platform.WHATSAPP]


def _expire(engine: Engine) -> None:
    with engine.begin() as db:
        db.execute(text("UPDATE work_leases SET expires_at = clock_timestamp() - interval '1 s'"))


def test_a_lease_is_one_apps_until_given_back_or_expired(engine, shop):
    connection = _whatsapp(shop)
    mine = leases.take_connection(engine, connection, "app-a")
    assert mine is not None and mine.organization_id == shop.organization_id
    assert leases.take_connection(engine, connection, "app-b") is None
    assert leases.take_connection(engine, shop.connections[Platform.TIKTOK], "app-b") is not None
    assert leases.take_connection(engine, connection, "app-a") is not None, "its holder renews"
    _expire(engine)
    taken_over = leases.take_connection(engine, connection, "app-b")
    assert taken_over is not None, "an expired lease is anyone's"
    assert leases.renew(engine, mine) is False, "the old holder learns it lost it"
    leases.give_back(engine, mine)  # a lease taken over stays its new holder's
    assert leases.take_connection(engine, connection, "app-a") is None
    leases.give_back(engine, taken_over)
    assert leases.take_connection(engine, connection, "app-a") is not None


def test_a_missing_connection_has_no_lease(engine, shop):
    assert leases.take_connection(engine, "no-such-connection", "app-a") is None


def _expires_at(engine: Engine) -> object:
    with engine.begin() as db:
        return db.execute(text("SELECT expires_at FROM work_leases")).scalar_one()


def test_the_holder_renews_its_lease_while_it_works(engine, shop):
    connection = _whatsapp(shop)
    term = timedelta(seconds=1.5)
    lease = leases.take_connection(engine, connection, "app-a", term)
    assert lease is not None
    first = _expires_at(engine)
    renewal = leases.Renewal(engine, lease)
    try:
        deadline = time.monotonic() + 30
        while _expires_at(engine) == first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _expires_at(engine) != first, "renewed"
        time.sleep(3 * term.total_seconds())  # past the first term: still renewed
        assert leases.take_connection(engine, connection, "app-b") is None
        assert not renewal.lost
    finally:
        renewal.stop()
    leases.give_back(engine, lease)
    assert leases.take_connection(engine, connection, "app-b") is not None


def test_two_apps_asking_at_once_never_both_hold(engine, shop):
    connection = _whatsapp(shop)
    apps = 6
    rounds = 15
    engines = [create_database_engine(engine.url) for _ in range(apps)]
    winners: list[int] = []
    start = threading.Barrier(apps)

    def ask(app: int) -> None:
        for round_ in range(rounds):
            start.wait()
            if leases.take_connection(engines[app], connection, f"app-{app}") is not None:
                winners.append(round_)
            start.wait()
            if app == 0:  # the round's lease runs out; every app asks again
                _expire(engine)
            start.wait()

    threads = [threading.Thread(target=ask, args=(app,)) for app in range(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for made in engines:
        made.dispose()
    assert sorted(winners) == list(range(rounds)), "exactly one app each round"


_HOLDER = """
import sys, time
from datetime import timedelta
from sqlalchemy.engine import make_url
from snorq_desktop.store import leases
from snorq_desktop.store.database import create_database_engine

engine = create_database_engine(make_url(sys.argv[1]))
lease = leases.take_connection(engine, sys.argv[2], "crashing-app", timedelta(seconds=2))
assert lease is not None
leases.Renewal(engine, lease)
print("held", flush=True)
time.sleep(600)
"""


def test_a_crashed_apps_lease_ends_by_itself(engine, shop):
    connection = _whatsapp(shop)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _HOLDER,
            engine.url.render_as_string(hide_password=False),
            connection,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert leases.take_connection(engine, connection, "survivor") is None
        os.kill(holder.pid, signal.SIGKILL)  # no goodbye: no give_back, no unlock
        holder.wait()
        deadline = time.monotonic() + 60
        taken = None
        while taken is None and time.monotonic() < deadline:
            time.sleep(0.2)
            taken = leases.take_connection(engine, connection, "survivor")
        assert taken is not None, "the crashed app's lease expired and was taken over"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def _advisory_locks(engine: Engine) -> int:
    with engine.begin() as db:
        return int(
            db.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
            or 0
        )


def test_leases_through_the_pooler_leave_nothing_on_its_server_connections(
    engine, pooled_engine, shop
):
    connection = _whatsapp(shop)
    for _ in range(3):
        lease = leases.take_connection(pooled_engine, connection, "pooled-app")
        assert lease is not None
        assert leases.take_connection(engine, connection, "direct-app") is None
        leases.give_back(pooled_engine, lease)
    assert _advisory_locks(engine) == 0
    direct = leases.take_connection(engine, connection, "direct-app")
    assert direct is not None
