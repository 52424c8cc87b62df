"""Rotation reseals every stored token with a new key, then forgets the old one."""

import keyring.backends.fail
from sqlalchemy import text

from snorq_desktop.boot.app import Database, rotate_token_key
from snorq_desktop.boot.cli import main
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeychainKeyStore, load_or_create
from snorq_desktop.store import connections as conns
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.keychain import MemoryKeychain
from tests.shop import account, open_shop


def _connect_three(sessions, cipher):
    with unit_of_work(sessions) as session:
        open_shop(
            session,
            cipher,
            [
                account(Platform.TIKTOK, "tiktok", "a-TIKTOK", refresh_token="r-tt"),
                account(Platform.WHATSAPP, "whatsapp", "a-WHATSAPP"),
                account(Platform.FACEBOOK, "facebook", "a-FACEBOOK"),
            ],
            email="o@example.com",
        )


def test_rotation_reseals_every_token_and_drops_the_old_key(engine):
    store = KeychainKeyStore(MemoryKeychain())
    sessions = session_factory(engine)
    first = load_or_create(store).current
    _connect_three(sessions, TokenCipher(load_or_create(store)))

    result = rotate_token_key(Database(engine, sessions, "test", embedded=False), store)

    assert (result.new_version, result.connections) == (first + 1, 3)
    keys = load_or_create(store)
    assert sorted(keys.keys) == [first + 1]
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, access_token, refresh_token FROM platform_connections")
        ).all()
    sealed = [v for _, a, r in rows for v in (a, r) if v is not None]
    assert len(sealed) == 4
    assert all(v.startswith("b1:") and f":k{first + 1}:" in v for v in sealed)
    cipher = TokenCipher(keys)
    with sessions() as session:
        opened = sorted(conns.read_tokens(session, cipher, cid)[0].reveal() for cid, _, _ in rows)
    assert opened == ["a-FACEBOOK", "a-TIKTOK", "a-WHATSAPP"]


def test_keys_rotate_from_the_command_line_with_an_allowed_key_file(
    database_url, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("keyring.get_keyring", lambda: keyring.backends.fail.Keyring())
    home = tmp_path / "app"
    url = database_url.render_as_string(hide_password=False)
    assert main(["--home", str(home), "--database-url", url, "keys", "rotate"]) == 1
    assert "no system keychain" in capsys.readouterr().err
    assert (
        main(["--home", str(home), "--database-url", url, "keys", "rotate", "--allow-key-file"])
        == 0
    )
    assert "Token key k" in capsys.readouterr().out
    assert (home / "config" / "token-key.json").exists()


def test_rotation_touches_only_the_signed_in_persons_organisations(engine):
    """Another shop's tokens in the same database are not ours to reseal (#13.6)."""
    store = KeychainKeyStore(MemoryKeychain())
    sessions = session_factory(engine)
    first = load_or_create(store).current
    _connect_three(sessions, TokenCipher(load_or_create(store)))
    with unit_of_work(sessions) as session:
        other = orgs.create_user(session, email="other@example.com")
        theirs = orgs.create_organization(session, owner_id=other, name="T", slug="t")
        conns.connect_platform(
            session,
            TokenCipher(load_or_create(store)),
            organization_id=theirs,
            account=conns.PlatformAccount(
                platform=Platform.TIKTOK,
                platform_user_id="their-tiktok",
                access_token=SecretToken("theirs"),
            ),
        )
        owner = session.execute(text("SELECT id FROM users WHERE email = 'o@example.com'"))
        mine = orgs.organizations_of(session, owner.scalar_one())

    result = rotate_token_key(Database(engine, sessions, "test", embedded=False), store, mine)

    assert result.connections == 3
    with engine.connect() as connection:
        left = connection.execute(
            text("SELECT access_token FROM platform_connections WHERE organization_id = :o"),
            {"o": theirs},
        ).scalar_one()
    assert f":k{first}:" in left  # theirs untouched, under the key they had
