"""The REST API's test world: the shop on the BUSINESS plan, the API's own
login (``snorq_api``) given a password, keys made as the app makes them, and
an httpx client on the real Starlette app."""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.identity import Identity
from snorq_desktop.relay.api import ApiLimits
from snorq_desktop.relay.app import RelaySecrets, build_relay
from snorq_desktop.services.api_keys import ApiKeyService
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory
from tests.shop import serving_app

# The role is cluster-wide: every test (and worker) gives it the same password.
API_PASSWORD = "snorq-api-test-password"
SECRETS = RelaySecrets(meta_verify_token="v", meta_app_secret="meta-secret", tiktok_app_secret=None)


@contextmanager
def api_login(admin: Engine, url: URL) -> Iterator[sessionmaker[Session]]:
    """Sessions logged in as ``snorq_api`` (never a superuser: RLS applies)."""
    with admin.begin() as connection:
        connection.execute(text(f"ALTER ROLE snorq_api LOGIN PASSWORD '{API_PASSWORD}'"))
    engine = create_database_engine(url.set(username="snorq_api", password=API_PASSWORD))
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def make_key(
    sessions: sessionmaker[Session],
    organization_id: str,
    maker_id: str,
    name: str = "web shop",
    role: MemberRole = MemberRole.ADMIN,
) -> str:
    identity = Identity(organization_id, "Shop", maker_id, "Maker")
    return ApiKeyService(sessions).create(identity, name, role).key


def api_app(api_sessions: sessionmaker[Session], limits: ApiLimits | None = None) -> Starlette:
    return build_relay(api_sessions, SECRETS, api=api_sessions, api_limits=limits)


@contextmanager
def api_client(
    api_sessions: sessionmaker[Session], limits: ApiLimits | None = None
) -> Iterator[httpx.Client]:
    """httpx over real HTTP to the relay's app, served on a loopback port."""
    with (
        serving_app(api_app(api_sessions, limits)) as url,
        httpx.Client(base_url=url + "/api/v1", timeout=30) as client,
    ):
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
