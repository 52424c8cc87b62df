"""Shared fixtures: a real PostgreSQL server, a migrated template database, and
hermetic app folders.

The server comes from SNORQ_TEST_DATABASE_URL (a superuser URL), which
`scripts/test` sets after starting a private cluster.  Tests never touch the
real home folder: SNORQ_HOME points into a temporary directory.
"""

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from snorq_desktop.boot.app import Plumbing, open_plumbing
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.migrate import upgrade_schema
from tests.keychain import MemoryKeychain
from tests.world import World, open_world


def _server_url() -> URL:
    raw = os.environ.get("SNORQ_TEST_DATABASE_URL")
    if not raw:
        pytest.exit(
            "SNORQ_TEST_DATABASE_URL is not set: run the tests with `bash scripts/test`, "
            "which starts a private PostgreSQL server for them.",
            returncode=4,
        )
    return make_url(raw).set(drivername="postgresql+psycopg")


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(server: URL, name: str, template: str | None = None) -> URL:
    with psycopg.connect(_conninfo(server.set(database="postgres")), autocommit=True) as admin:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        admin.execute(statement)
    return server.set(database=name)


def drop_database(server: URL, name: str) -> None:
    with psycopg.connect(_conninfo(server.set(database="postgres")), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(autouse=True)
def _hermetic_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNORQ_HOME", str(tmp_path / "home"))
    for name in (
        "SNORQ_DATABASE_URL",
        "SNORQ_ALLOW_KEY_FILE",
        "SNORQ_GRAPH_URL",
        "SNORQ_TIKTOK_URL",
        "SNORQ_GOOGLE_CLIENT_ID",
        "SNORQ_GOOGLE_CLIENT_SECRET",
        "SNORQ_GOOGLE_ISSUER",
    ):
        monkeypatch.delenv(name, raising=False)
    # Tests never touch the real keychain: each gets an empty one of its own.
    keychain = MemoryKeychain()
    monkeypatch.setattr("keyring.get_keyring", lambda: keychain)


@pytest.fixture(scope="session")
def server_url() -> URL:
    return _server_url()


@pytest.fixture
def empty_database(server_url: URL) -> Iterator[URL]:
    """A new, empty database on the test server; dropped afterwards."""
    name = f"snorq_empty_{secrets.token_hex(4)}"
    url = create_database(server_url, name)
    yield url
    drop_database(server_url, name)


@pytest.fixture(scope="session")
def template_database(server_url: URL) -> Iterator[str]:
    """Migrated once; each test that commits gets a copy of it."""
    name = f"snorq_template_{secrets.token_hex(4)}"
    url = create_database(server_url, name)
    engine = create_database_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    yield name
    drop_database(server_url, name)


@pytest.fixture
def database_url(server_url: URL, template_database: str) -> Iterator[URL]:
    """A migrated database of this test's own, where transactions really commit."""
    name = f"snorq_test_{secrets.token_hex(4)}"
    url = create_database(server_url, name, template=template_database)
    yield url
    drop_database(server_url, name)


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits stay inside one outer transaction, rolled back at the end."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session
        outer.rollback()


@pytest.fixture
def plumbing() -> Iterator[Plumbing]:
    """The app's worker and HTTP clients, made as the composition root makes them."""
    made = open_plumbing()
    yield made
    made.close()


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    """The fake platforms, a shop connected to each, and the relay they deliver to."""
    with open_world(engine) as made:
        yield made
