"""Connecting, reconnecting, disconnecting and deleting platform connections,
end to end: the system "browser" (a real HTTP client), the loopback listener,
the fake platforms' login pages and token endpoints, the real database, and
the sync engine picking the new connection up."""

import threading

import pytest

from snorq_desktop.domain.connections import LoginFailed
from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.errors import KnownError, TokenMisplaced
from snorq_desktop.platforms.errors import PlatformError
from snorq_desktop.store.connections import read_tokens
from tests.e2e.connect_world import (
    BUSINESS,
    META_APP,
    META_SECRET,
    PAGE,
    PHONE,
    RELAY,
    TIKTOK_KEY,
    TIKTOK_SECRET,
    ConnectWorld,
    with_state,
)


@pytest.fixture
def world(engine):
    made = ConnectWorld(engine)
    yield made
    made.stop()


def connect_messenger(world: ConnectWorld) -> str:
    world.meta.add_account(PAGE, "page-token-never-expires")
    world.meta.add_account("2000", "other-page-token")
    world.meta.login_pages = [(PAGE, "Maya's Shop"), ("2000", "Another page")]
    world.service.save_app("META", META_APP, META_SECRET)
    pages = world.service.facebook_pages()
    assert [page.name for page in pages] == ["Maya's Shop", "Another page"]
    return world.service.connect_page(pages[0])


def connect_tiktok(world: ConnectWorld) -> str:
    world.tiktok.login_business = BUSINESS
    world.service.save_app("TIKTOK", TIKTOK_KEY, TIKTOK_SECRET)
    return world.service.connect_tiktok()


def test_messenger_connects_through_the_browser_and_its_messages_arrive(world):
    connection_id = connect_messenger(world)

    opened = world.browser.opened[0]
    assert opened.startswith(world.meta.url + "/v21.0/dialog/oauth?")
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in opened and "state=" in opened
    exchanged = [r.query.get("grant_type") for r in world.meta.requests if "oauth" in r.path]
    assert "fb_exchange_token" in exchanged  # the long-lived exchange happened
    [row] = world.service.connections()
    assert (row.id, row.platform, row.account_name, row.status) == (
        connection_id,
        Platform.FACEBOOK,
        "Maya's Shop",
        ConnectionStatus.ACTIVE,
    )
    with world.sessions() as session:
        access, _ = read_tokens(session, world.cipher, connection_id)
    assert access.reveal() == "page-token-never-expires"

    world.meta.customer_writes(PAGE, "psid-77", "Is the blue one in stock?", whatsapp=False)
    report = world.sync_pass()

    assert report.connections == 1 and report.stored == 1
    assert world.sql("SELECT content FROM messages") == [("Is the blue one in stock?",)]
    assert world.service.connections()[0].last_sync_at is not None


def test_tiktok_connects_through_the_browser_and_its_messages_arrive(world):
    connection_id = connect_tiktok(world)

    assert world.browser.opened[0].startswith(world.tiktok.url + "/v2/auth/authorize/?")
    [(user_id, refresh, expires_in_hours)] = world.sql(
        "SELECT platform_user_id, refresh_token, "
        "round(extract(epoch FROM token_expires_at - now()) / 3600) FROM platform_connections"
    )
    assert user_id == BUSINESS and expires_in_hours == 24
    with world.sessions() as session:
        access, refresh_token = read_tokens(session, world.cipher, connection_id)
    assert world.tiktok.access_tokens[access.reveal()] == BUSINESS
    assert refresh_token is not None and refresh_token.reveal() in world.tiktok.refresh_tokens
    assert refresh.startswith("b1:") and refresh_token.reveal() not in refresh

    world.tiktok.customer_writes(BUSINESS, "tt-user-5", "Do you ship to Lyon?")
    report = world.sync_pass()

    assert report.stored == 1
    assert world.sql("SELECT content FROM messages") == [("Do you ship to Lyon?",)]


@pytest.mark.parametrize("platform", ["messenger", "tiktok"])
def test_an_answer_with_another_state_is_ignored(world, platform):
    world.browser.tamper = lambda url: with_state(url, "forged-state")
    connect = connect_messenger if platform == "messenger" else connect_tiktok
    with pytest.raises(LoginFailed) as failed:
        connect(world)
    assert "state" in failed.value.sentence and "ignored" in failed.value.sentence
    assert world.service.connections() == []
    # the forged answer's code was never exchanged
    assert not [r for r in world.meta.requests if r.path.endswith("/oauth/access_token")]
    assert not [r for r in world.tiktok.requests if "oauth2/token" in r.path]


@pytest.mark.parametrize("platform", ["messenger", "tiktok"])
def test_the_person_declining_is_said_and_nothing_is_connected(world, platform):
    world.meta.deny_login = world.tiktok.deny_login = True
    connect = connect_messenger if platform == "messenger" else connect_tiktok
    with pytest.raises(LoginFailed) as failed:
        connect(world)
    expected = "Permissions error" if platform == "messenger" else "denied the authorization"
    assert "did not give access" in failed.value.sentence
    assert expected in failed.value.sentence
    assert world.service.connections() == []


def test_cancelling_and_a_login_that_never_comes_back(world):
    world.browser.ignore = True
    world.service.save_app("META", META_APP, META_SECRET)
    threading.Timer(0.3, world.service.cancel_login).start()
    with pytest.raises(LoginFailed, match="was cancelled"):
        world.service.facebook_pages()

    world.login._timeout = 0.3
    with pytest.raises(LoginFailed, match="did not come back from the browser"):
        world.service.facebook_pages()


def test_connecting_needs_the_business_apps_and_their_right_secret(world):
    with pytest.raises(KnownError, match="Enter your Meta app id and secret"):
        world.service.facebook_pages()
    with pytest.raises(KnownError, match="TikTok app's client key"):
        world.service.connect_tiktok()
    world.service.save_app("META", META_APP, "not-the-secret")
    world.meta.login_pages = [(PAGE, "Shop")]
    with pytest.raises(PlatformError, match="client secret"):
        world.service.facebook_pages()


def test_whatsapp_is_checked_connected_and_says_what_to_paste_into_meta(world):
    world.meta.add_phone_number(PHONE, "wa-system-user-token", "+1 555-0100", "Maya's Shop")
    with pytest.raises(KnownError, match="refused that access token"):
        world.service.connect_whatsapp(PHONE, "102290129340398", "wrong-token")
    with pytest.raises(KnownError, match="Enter the phone number id"):
        world.service.connect_whatsapp("", "102290129340398", "wa-system-user-token")

    setup = world.service.connect_whatsapp(PHONE, "102290129340398", "wa-system-user-token")

    assert setup.callback_url == f"{RELAY}/webhooks/meta"
    assert len(setup.verify_token.reveal()) >= 24
    assert world.service.whatsapp_setup().verify_token == setup.verify_token  # kept
    [row] = world.service.connections()
    assert (row.platform, row.account_name, row.platform_user_id) == (
        Platform.WHATSAPP,
        "Maya's Shop",
        PHONE,
    )
    [(stored,)] = world.sql("SELECT webhook_verify_token FROM platform_apps")
    assert setup.verify_token.reveal() not in stored


def test_disconnect_keeps_the_history_and_reconnecting_revives_it(world):
    connection_id = connect_messenger(world)
    world.meta.customer_writes(PAGE, "psid-1", "Hello", whatsapp=False)
    world.sync_pass()

    world.service.disconnect(connection_id)

    [(status, access, refresh)] = world.sql(
        "SELECT status::text, access_token, refresh_token FROM platform_connections"
    )
    assert (status, access, refresh) == ("DISCONNECTED", "", None)
    assert world.sql("SELECT count(*) FROM messages") == [(1,)]
    assert world.sync_pass().connections == 0  # the engine leaves it alone

    assert connect_messenger(world) == connection_id  # same page: the same connection
    assert world.service.connections()[0].status is ConnectionStatus.ACTIVE
    assert world.sql("SELECT count(*) FROM conversations") == [(1,)]


def test_delete_says_what_goes_with_it_and_cascades(world):
    connection_id = connect_messenger(world)
    world.meta.customer_writes(PAGE, "psid-1", "One", whatsapp=False)
    world.meta.customer_writes(PAGE, "psid-1", "Two", whatsapp=False)
    world.meta.customer_writes(PAGE, "psid-2", "Three", whatsapp=False)
    world.sync_pass()

    impact = world.service.deletion_impact(connection_id)
    assert (impact.conversations, impact.messages) == (2, 3)

    assert world.service.delete(connection_id) == impact
    assert world.sql("SELECT count(*) FROM conversations") == [(0,)]
    assert world.sql("SELECT count(*) FROM messages") == [(0,)]
    assert world.service.connections() == []
    with pytest.raises(KnownError, match="no longer exists"):
        world.service.delete(connection_id)


def test_app_secrets_are_sealed_at_rest(world):
    world.service.save_app("META", META_APP, META_SECRET)
    world.service.save_app("TIKTOK", TIKTOK_KEY, TIKTOK_SECRET)

    stored = world.sql("SELECT provider, id, app_secret FROM platform_apps")
    places = {str(p): f"platform_apps:{i}:app_secret" for p, i, _ in stored}
    rows = {str(p): str(v) for p, _, v in stored}
    assert META_SECRET not in rows["META"] and TIKTOK_SECRET not in rows["TIKTOK"]
    assert all(
        value.startswith("b1:") and f":k{world.cipher.current_version}:" in value
        for value in rows.values()
    )
    assert world.cipher.open(rows["META"], places["META"]).reveal() == META_SECRET
    with pytest.raises(TokenMisplaced):  # one app's secret does not open as the other's
        world.cipher.open(rows["META"], places["TIKTOK"])
    assert world.service.app_ids() == {"META": META_APP, "TIKTOK": TIKTOK_KEY}
    with pytest.raises(KnownError, match="secret as well"):
        world.service.save_app("TIKTOK", TIKTOK_KEY, " ")


def test_a_tiktok_token_is_refreshed_with_the_business_own_app(world):
    connection_id = connect_tiktok(world)
    with world.sessions() as session:
        _, first_refresh = read_tokens(session, world.cipher, connection_id)
    world.sql("UPDATE platform_connections SET token_expires_at = now() - interval '1 minute'")
    world.tiktok.customer_writes(BUSINESS, "tt-user-8", "Still there?")

    report = world.sync_pass()

    assert report.stored == 1, report.errors
    refreshes = [r for r in world.tiktok.requests if "refresh_token" in r.path]
    assert [r.body["client_id"] for r in refreshes] == [TIKTOK_KEY]
    assert refreshes[0].body["client_secret"] == TIKTOK_SECRET
    assert first_refresh is not None
    assert first_refresh.reveal() in world.tiktok.used_refresh_tokens
    assert world.service.connections()[0].status is ConnectionStatus.ACTIVE
