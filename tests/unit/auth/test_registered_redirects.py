"""The logins send the browser back to exactly the addresses the README tells a
shop to register: TikTok's Login Kit for Desktop a loopback with any port and a
static path (``http://127.0.0.1:*/callback/``), Facebook Login one exact URI."""

import re
import socket
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from snorq_desktop.auth.platform_login import (
    FACEBOOK_REDIRECT_PORT,
    FACEBOOK_REDIRECT_URI,
    TIKTOK_REDIRECT_URI,
    LoginEndpoints,
    PlatformLogin,
)
from snorq_desktop.domain.connections import LoginFailed
from snorq_desktop.domain.tokens import SecretToken


def registered(pattern: str) -> re.Pattern[str]:
    """A registered redirect URI as the platform matches it: ``*`` is any port."""
    return re.compile(re.escape(pattern).replace(r"\*", r"\d+") + r"\Z")


def redirect_asked_for(login: PlatformLogin, connect) -> str:
    """The redirect_uri the login sent the browser off with (no browser opens)."""
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        return False  # "no browser could be opened": the login ends before any network

    login._opener = browser
    with pytest.raises(LoginFailed, match="No web browser"):
        connect(login)
    [url] = opened
    return parse_qs(urlsplit(url).query)["redirect_uri"][0]


@pytest.fixture
def login():
    with httpx.Client() as http:
        yield PlatformLogin(http, LoginEndpoints())


def test_tiktok_comes_back_to_a_loopback_port_on_the_static_path(login):
    uri = redirect_asked_for(login, lambda it: it.tiktok_account("key", SecretToken("s")))
    assert registered(TIKTOK_REDIRECT_URI).match(uri), uri
    assert TIKTOK_REDIRECT_URI == "http://127.0.0.1:*/callback/"


def test_facebook_comes_back_to_the_one_registered_address(login):
    uri = redirect_asked_for(login, lambda it: it.facebook_pages("app", SecretToken("s")))
    assert uri == FACEBOOK_REDIRECT_URI == f"http://localhost:{FACEBOOK_REDIRECT_PORT}/callback/"


def test_a_stand_in_for_facebook_gets_any_free_port():
    endpoints = LoginEndpoints(facebook_dialog="http://127.0.0.1:9/v21.0/dialog/oauth")
    assert endpoints.facebook_port == 0
    assert LoginEndpoints().facebook_port == FACEBOOK_REDIRECT_PORT


def test_the_facebook_port_used_by_another_program_is_one_sentence():
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with httpx.Client() as http:
            login = PlatformLogin(http, LoginEndpoints(facebook_redirect_port=port))
            with pytest.raises(
                LoginFailed, match=f"Another program on this computer uses port {port}"
            ):
                login.facebook_pages("app", SecretToken("s"))
