"""The shop most tests start from, and the relay served on a loopback port:
one place for each, instead of a copy per test module."""

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import uvicorn
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from snorq_desktop.domain.enums import MemberRole, PlanType, Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.tokens import SecretToken, TokenSealer
from snorq_desktop.relay.app import RelaySecrets, build_relay
from snorq_desktop.secrets.member_login import new_password, scram_verifier
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.connections import PlatformAccount, connect_platform


@dataclass(frozen=True)
class ShopIds:
    owner_id: str
    organization_id: str
    connections: dict[Platform, str]


def account(
    platform: Platform, platform_user_id: str, token: str = "t", refresh_token: str | None = None
) -> PlatformAccount:
    return PlatformAccount(
        platform=platform,
        platform_user_id=platform_user_id,
        access_token=SecretToken(token),
        refresh_token=SecretToken(refresh_token) if refresh_token is not None else None,
    )


def every_platform() -> list[PlatformAccount]:
    """One connection per platform, each account named after its platform."""
    return [account(platform, f"{platform.value}-acct") for platform in Platform]


def open_shop(
    session: Session,
    sealer: TokenSealer,
    accounts: list[PlatformAccount],
    *,
    email: str = "maya@example.com",
    owner_name: str | None = "Maya Okafor",
    name: str = "Maya's Shop",
    slug: str = "maya",
    plan: PlanType = PlanType.PRO,
) -> ShopIds:
    """An owner, their organisation (PRO: no history limit gets in the way) and
    its connections, in the caller's transaction."""
    owner = orgs.create_user(session, email=email, name=owner_name)
    org = orgs.create_organization(session, owner_id=owner, name=name, slug=slug, plan=plan)
    connections = {
        made.platform: connect_platform(session, sealer, organization_id=org, account=made)
        for made in accounts
    }
    return ShopIds(owner, org, connections)


@contextmanager
def serving_relay(
    sessions: sessionmaker[Session], secrets: RelaySecrets, *, log_level: str = "warning"
) -> Iterator[str]:
    """The relay served by uvicorn on a free loopback port, on a thread; its base URL."""
    with serving_app(build_relay(sessions, secrets), log_level=log_level) as url:
        yield url


@contextmanager
def serving_app(app: Starlette, *, log_level: str = "warning") -> Iterator[str]:
    """An ASGI app served by uvicorn on a free loopback port, on a thread; its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level=log_level,
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the relay did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class TeamLogin:
    """A person's own database login, as their app connects with it."""

    url: URL
    user_id: str


def invited_login(
    engine: Engine,
    organization_id: str,
    inviter_id: str,
    email: str = "eve@example.com",
    role: MemberRole = MemberRole.MEMBER,
) -> TeamLogin:
    """A teammate's login made the way the app makes one for an invite: the
    inviter's snorq_create_invite gives the invite its login (a SCRAM verifier
    of a first password), and the joining app redeems the code as that login,
    setting a password of its own."""
    first, final = new_password(), new_password()
    code_hash = hashlib.sha256(f"invite for {email}".encode()).hexdigest()
    with engine.begin() as admin:
        login = admin.execute(
            text(
                "SELECT snorq_create_invite(:actor, :id, :org, :email, "
                "CAST(:role AS \"MemberRole\"), :code, NULL, now() + interval '1 day', :verifier)"
            ),
            {
                "actor": inviter_id,
                "id": new_id(),
                "org": organization_id,
                "email": email,
                "role": role.value,
                "code": code_hash,
                "verifier": scram_verifier(first),
            },
        ).scalar_one()
    url = engine.url.set(username=login, password=first)
    with psycopg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as joining:
        row = joining.execute(
            "SELECT * FROM snorq_redeem_invite(%s, NULL, %s, %s, %s, NULL, %s)",
            (
                code_hash,
                email,
                f"google-{email}",
                email.split("@")[0].title(),
                scram_verifier(final),
            ),
        ).fetchone()
    assert row is not None
    return TeamLogin(url.set(password=final), row[-1])
