"""The sync engine's transactions (store/sync_records.py), the token refresh's
compare-and-swap beside read_tokens."""

from datetime import UTC, datetime, timedelta

import pytest

from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import conversation_actions as actions
from snorq_desktop.store.connections import FreshTokens, read_tokens
from snorq_desktop.store.sync_records import SyncRecords
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from tests.shop import ShopIds, account, every_platform, open_shop


@pytest.fixture
def records_and_shop(engine):
    sessions = session_factory(engine)
    cipher = TokenCipher(KeySet.fresh())
    with unit_of_work(sessions) as session:
        accounts = [a for a in every_platform() if a.platform is not Platform.TIKTOK]
        accounts.append(account(Platform.TIKTOK, "tt", "old-access", refresh_token="once"))
        ids = open_shop(session, cipher, accounts)
    return SyncRecords(sessions, cipher, origin="app-1"), ids, sessions, cipher


def _reply_waiting(engine, sessions, ids: ShopIds, platform: Platform) -> str:
    conversation = new_id()
    with engine.begin() as db:
        db.exec_driver_sql(
            "INSERT INTO conversations (id, organization_id, platform_connection_id, platform,"
            " external_id, contact_external_id) VALUES (%(c)s, %(o)s, %(p)s, %(pl)s, 'x', 'x')",
            {
                "c": conversation,
                "o": ids.organization_id,
                "p": ids.connections[platform],
                "pl": platform.value,
            },
        )
    message = new_id()
    with unit_of_work(sessions) as session:
        actions.add_reply(
            session,
            organization_id=ids.organization_id,
            conversation_id=conversation,
            message_id=message,
            sender_id=ids.owner_id,
            text="hello",
        )
    return message


def test_only_active_connections_with_an_unclaimed_reply_are_waiting(engine, records_and_shop):
    records, ids, sessions, _ = records_and_shop
    assert records.connections_with_replies_waiting() == []
    whatsapp = _reply_waiting(engine, sessions, ids, Platform.WHATSAPP)
    _reply_waiting(engine, sessions, ids, Platform.FACEBOOK)
    records.set_status(ids.connections[Platform.FACEBOOK], ConnectionStatus.EXPIRED, "expired")
    [waiting] = records.connections_with_replies_waiting()
    assert (waiting.id, waiting.platform) == (ids.connections[Platform.WHATSAPP], Platform.WHATSAPP)
    assert records.claim(waiting, whatsapp)
    assert not records.claim(waiting, whatsapp), "claimed once"
    assert records.connections_with_replies_waiting() == []


def test_a_refresh_is_asked_only_when_due_and_its_tokens_are_stored_sealed(records_and_shop):
    records, ids, sessions, cipher = records_and_shop
    [tiktok] = records.active_connections(ids.connections[Platform.TIKTOK])
    asked: list[str] = []

    def refresh(token: SecretToken, app: object) -> FreshTokens:
        asked.append(token.reveal())
        return FreshTokens(SecretToken("new-access"), SecretToken("new-refresh"), 3600)

    now = datetime.now(UTC)
    fresh = records.refresh_tokens(tiktok, now=now, margin=timedelta(minutes=10), refresh=refresh)
    assert (fresh and fresh.reveal(), asked) == ("new-access", ["once"])
    with sessions() as session:
        access, refresh_token = read_tokens(session, cipher, tiktok.id)
    assert (access.reveal(), refresh_token and refresh_token.reveal()) == (
        "new-access",
        "new-refresh",
    )
    again = records.refresh_tokens(tiktok, now=now, margin=timedelta(minutes=10), refresh=refresh)
    assert again is not None and again.reveal() == "new-access"
    assert asked == ["once"], "not due: the stored token is used, the refresh token kept"
    [whatsapp] = records.active_connections(ids.connections[Platform.WHATSAPP])
    assert records.refresh_tokens(whatsapp, now=now, margin=timedelta(0), refresh=refresh) is None
