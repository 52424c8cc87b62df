"""A sealed token opens only in the row and column it was sealed for (#13.6):
copied into another connection, or from one column to the other, it is refused
with a sentence.  Tokens sealed before binding still open, and are bound the
first time they are used and by `keys rotate`."""

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.boot.app import Database, rotate_token_key
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.errors import TokenMisplaced
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeychainKeyStore, KeySet, load_or_create
from snorq_desktop.store import connections as conns
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.platform_apps import AppProvider, app_credentials, save_app_credentials
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.keychain import MemoryKeychain
from tests.old_seals import unbound_seal
from tests.shop import every_platform, invited_login, open_shop


def _connect(session: Session, cipher: TokenCipher, slug: str) -> tuple[str, str]:
    owner = orgs.create_user(session, email=f"{slug}@example.com")
    org = orgs.create_organization(session, owner_id=owner, name=slug, slug=slug)
    connection = conns.connect_platform(
        session,
        cipher,
        organization_id=org,
        account=conns.PlatformAccount(
            platform=Platform.TIKTOK,
            platform_user_id=f"{slug}-business",
            access_token=SecretToken(f"{slug}-access"),
            refresh_token=SecretToken(f"{slug}-refresh"),
        ),
    )
    return org, connection


def _stored(session: Session, connection: str) -> tuple[str, str]:
    access, refresh = session.execute(
        text("SELECT access_token, refresh_token FROM platform_connections WHERE id = :id"),
        {"id": connection},
    ).one()
    return access, refresh


def _put(session: Session, connection: str, **columns: str) -> None:
    for column, value in columns.items():
        session.execute(
            text(f"UPDATE platform_connections SET {column} = :v WHERE id = :id"),
            {"v": value, "id": connection},
        )


def test_a_token_copied_into_another_connection_or_column_is_refused(session):
    cipher = TokenCipher(KeySet.fresh())
    _, mine = _connect(session, cipher, "mine")
    _, theirs = _connect(session, cipher, "theirs")
    my_access, my_refresh = _stored(session, mine)

    _put(session, theirs, access_token=my_access)
    with pytest.raises(TokenMisplaced, match="sealed for another connection") as caught:
        conns.read_tokens(session, cipher, theirs)
    assert "mine-access" not in str(caught.value)

    _put(session, mine, access_token=my_refresh, refresh_token=my_access)
    with pytest.raises(TokenMisplaced, match="sealed for another connection"):
        conns.read_tokens(session, cipher, mine)
    # Nothing was rewritten on the way: the misplaced values stay as they were.
    assert _stored(session, mine) == (my_refresh, my_access)


def test_a_token_sealed_before_binding_opens_and_is_bound_at_first_use(session):
    keys = KeySet.fresh()
    cipher = TokenCipher(keys)
    _, mine = _connect(session, cipher, "mine")
    _, theirs = _connect(session, cipher, "theirs")
    _put(
        session,
        mine,
        access_token=unbound_seal(keys, "old-access"),
        refresh_token=unbound_seal(keys, "old-refresh"),
    )

    access, refresh = conns.read_tokens(session, cipher, mine)

    assert (access.reveal(), refresh and refresh.reveal()) == ("old-access", "old-refresh")
    bound = _stored(session, mine)
    assert all(value.startswith("b1:") and f":k{keys.current}:" in value for value in bound)
    again = conns.read_tokens(session, cipher, mine)
    assert (again[0].reveal(), again[1] and again[1].reveal()) == ("old-access", "old-refresh")
    _put(session, theirs, access_token=bound[0])  # bound now: it no longer moves
    with pytest.raises(TokenMisplaced):
        conns.read_tokens(session, cipher, theirs)


def test_rotation_binds_older_tokens_and_app_secrets_and_keeps_the_binding(engine):
    store = KeychainKeyStore(MemoryKeychain())
    sessions = session_factory(engine)
    keys = load_or_create(store)
    cipher = TokenCipher(keys)
    with unit_of_work(sessions) as session:
        org, mine = _connect(session, cipher, "mine")
        _, theirs = _connect(session, cipher, "theirs")
        save_app_credentials(
            session,
            cipher,
            organization_id=org,
            provider=AppProvider.TIKTOK,
            app_id="client-key",
            app_secret=SecretToken("app-secret"),
        )
        _put(session, mine, access_token=unbound_seal(keys, "old-access"))
        session.execute(
            text("UPDATE platform_apps SET app_secret = :v"),
            {"v": unbound_seal(keys, "old-app-secret")},
        )

    result = rotate_token_key(Database(engine, sessions, "test", embedded=False), store)

    assert result.connections == 2
    newest = TokenCipher(load_or_create(store))  # the old key is gone
    assert newest.current_version == keys.current + 1
    with unit_of_work(sessions) as session:
        stored = [*_stored(session, mine), *_stored(session, theirs)]
        stored += session.execute(text("SELECT app_secret FROM platform_apps")).scalars().all()
        assert all(v.startswith("b1:") and f":k{keys.current + 1}:" in v for v in stored)
        access, _ = conns.read_tokens(session, newest, mine)
        assert access.reveal() == "old-access"
        app = app_credentials(session, newest, org, AppProvider.TIKTOK)
        assert app is not None and app.app_secret.reveal() == "old-app-secret"
        _put(session, theirs, access_token=stored[0])
        with pytest.raises(TokenMisplaced):
            conns.read_tokens(session, newest, theirs)


def test_a_members_login_cannot_copy_a_token_sealed_before_binding(engine):
    """An unused old (unbound) value would open in any row: a member's login, which
    may write the token columns, is refused the copy by the database (0025), and
    still binds the value in place when its app first opens it."""
    keys = KeySet.fresh()
    cipher = TokenCipher(keys)
    with unit_of_work(session_factory(engine)) as session:
        shop = open_shop(session, cipher, every_platform())
    mine, theirs = shop.connections[Platform.WHATSAPP], shop.connections[Platform.FACEBOOK]
    old = unbound_seal(keys, "old-access")
    with engine.begin() as admin:  # as an older app stored it
        admin.execute(
            text("UPDATE platform_connections SET access_token = :v WHERE id = :id"),
            {"v": old, "id": mine},
        )
    member = invited_login(engine, shop.organization_id, shop.owner_id)
    with psycopg.connect(_conninfo(member.url), autocommit=True) as login:
        copy = (
            "UPDATE platform_connections SET {column} = (SELECT access_token "
            "FROM platform_connections WHERE id = %(from)s) WHERE id = %(to)s"
        )
        for column, target in (("access_token", theirs), ("refresh_token", mine)):
            with pytest.raises(psycopg.DatabaseError, match="cannot be copied") as caught:
                login.execute(copy.format(column=column), {"from": mine, "to": target})
            assert caught.value.sqlstate == "SQ001"
        # Its own row may still be written around the old value (the sync's status).
        login.execute(
            "UPDATE platform_connections SET status = 'ACTIVE', access_token = access_token "
            "WHERE id = %s",
            (mine,),
        )
    assert _stored_as_admin(engine, theirs)[0] != old
    member_engine = create_database_engine(member.url)
    try:
        with unit_of_work(session_factory(member_engine)) as session:
            access, _ = conns.read_tokens(session, cipher, mine, shop.organization_id)
    finally:
        member_engine.dispose()
    assert access.reveal() == "old-access"
    assert _stored_as_admin(engine, mine)[0].startswith("b1:")  # bound in place, as the member


def _stored_as_admin(engine, connection: str) -> tuple[str, str]:
    with engine.connect() as admin:
        row = admin.execute(
            text("SELECT access_token, refresh_token FROM platform_connections WHERE id = :id"),
            {"id": connection},
        ).one()
    return row[0], row[1]


def _conninfo(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
