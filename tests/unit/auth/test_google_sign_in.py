"""The whole sign-in against the local OpenID Connect server: real HTTP, a real
loopback listener, RS256 id_tokens, PKCE checked by the server."""

import threading
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from snorq_desktop.auth.google import GoogleSignIn, SignInConfig
from snorq_desktop.demo.fakes.oidc import FakeGoogle, fake_browser
from snorq_desktop.demo.fakes.server import Fault
from snorq_desktop.domain.errors import SignInCancelled, SignInFailed


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    fake.start()
    yield fake
    fake.stop()


# One client for the module, as the app has one (the composition root's).
HTTP = httpx.Client(timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _close_the_client() -> Iterator[None]:
    yield
    HTTP.close()


def client(google: FakeGoogle, secret: str | None = None) -> GoogleSignIn:
    return GoogleSignIn(
        SignInConfig(
            client_id=google.client_id,
            client_secret=secret or google.client_secret,
            issuer=google.url,
        ),
        HTTP,
    )


def test_sign_in_returns_the_account_and_a_refresh_token(google):
    signed = client(google).sign_in(open_browser=fake_browser, timeout=20)
    assert signed.account.subject == google.account.sub
    assert signed.account.email == "maya@example.com"
    assert signed.account.name == "Maya Okafor"
    assert signed.account.email_verified
    assert signed.refresh_token in google.refresh_tokens
    sent = google.authorize_requests[-1]
    assert sent["code_challenge_method"] == "S256"
    assert urlsplit(sent["redirect_uri"]).hostname == "127.0.0.1"
    assert sent["state"] and sent["nonce"] and sent["scope"] == "openid email profile"


def test_the_refresh_token_works_and_revoking_it_ends_it(google):
    sign_in = client(google)
    refresh = sign_in.sign_in(open_browser=fake_browser, timeout=20).refresh_token
    assert refresh is not None
    assert sign_in.refresh(refresh).startswith("fake-access-")
    sign_in.revoke(refresh)
    with pytest.raises(SignInFailed, match="no longer accepts"):
        sign_in.refresh(refresh)


def test_the_server_refuses_a_wrong_code_verifier(google):
    """PKCE is really checked: a stolen code is useless without this app's verifier."""
    sign_in = client(google)
    seen: list[str] = []
    sign_in.sign_in(open_browser=fake_browser, timeout=20, on_url=seen.append)
    # Replay: a fresh code, exchanged with a verifier that is not the one challenged.
    query = {k: v[0] for k, v in parse_qs(urlsplit(seen[0]).query).items()}
    google.behaviour = "approve"
    opener = urllib.request.build_opener(_Stop)
    try:
        opener.open(seen[0], timeout=10)
        pytest.fail("expected a redirect")
    except urllib.error.HTTPError as answer:
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    with pytest.raises(SignInFailed, match="sign in again"):
        sign_in._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": query["redirect_uri"],
                "code_verifier": "not-the-verifier",
            }
        )


class _Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_wrong_client_secret_is_one_sentence(google):
    with pytest.raises(SignInFailed, match="client id and secret"):
        client(google, secret="wrong").sign_in(open_browser=fake_browser, timeout=20)


@pytest.mark.parametrize(
    ("fault", "sentence"),
    [
        ("wrong_nonce", "does not answer this sign-in .possible forged sign-in"),
        ("expired", "has expired"),
        ("other_key", "signature does not match .* .possible forged sign-in"),
    ],
)
def test_a_bad_id_token_signs_nobody_in(google, fault, sentence):
    google.token_fault = fault
    with pytest.raises(SignInFailed, match=sentence):
        client(google).sign_in(open_browser=fake_browser, timeout=20)


def test_an_answer_with_the_wrong_state_is_refused_as_forged(google):
    google.behaviour = "wrong_state"
    with pytest.raises(SignInFailed, match="possible forged sign-in"):
        client(google).sign_in(open_browser=fake_browser, timeout=20)


def test_declining_in_the_browser_is_a_cancellation(google):
    google.behaviour = "deny"
    with pytest.raises(SignInCancelled, match="declined"):
        client(google).sign_in(open_browser=fake_browser, timeout=20)


def test_a_person_who_never_finishes_meets_the_timeout(google):
    google.behaviour = "never"
    with pytest.raises(SignInCancelled, match="not finished in the browser"):
        client(google).sign_in(open_browser=fake_browser, timeout=0.5)


def test_cancel_stops_the_wait(google):
    google.behaviour = "never"
    cancel = threading.Event()
    opened = threading.Event()

    def browser(url: str) -> bool:
        fake_browser(url)
        opened.set()
        return True

    def press_cancel() -> None:
        opened.wait(10)
        cancel.set()

    threading.Thread(target=press_cancel, daemon=True).start()
    with pytest.raises(SignInCancelled, match="cancelled"):
        client(google).sign_in(open_browser=browser, timeout=60, cancel=cancel)


def test_an_unreachable_issuer_is_one_sentence(google):
    google.stop()
    with pytest.raises(SignInFailed, match="cannot be reached"):
        client(google).sign_in(open_browser=fake_browser, timeout=5)


def test_an_issuer_that_names_itself_otherwise_is_refused(google):
    config = SignInConfig(
        client_id=google.client_id, issuer=google.url.replace("127.0.0.1", "localhost")
    )
    with pytest.raises(SignInFailed, match="not the issuer configured"):
        GoogleSignIn(config, HTTP).sign_in(open_browser=fake_browser, timeout=5)


def test_no_client_id_is_one_sentence():
    with pytest.raises(SignInFailed, match="SNORQ_GOOGLE_CLIENT_ID"):
        GoogleSignIn(SignInConfig(client_id=""), HTTP)


def test_no_browser_is_one_sentence_unless_the_address_is_shown_otherwise(google):
    with pytest.raises(SignInFailed, match="No web browser could be opened"):
        client(google).sign_in(open_browser=lambda url: False, timeout=20)
    # The command line prints the address: the person opens it by hand.
    shown: list[str] = []

    def print_address(url: str) -> None:
        shown.append(url)
        fake_browser(url)

    signed = client(google).sign_in(
        open_browser=lambda url: False, timeout=20, on_url=print_address
    )
    assert signed.account.email == "maya@example.com" and len(shown) == 1


def test_a_damaged_discovery_document_is_one_sentence(google):
    google.inject(Fault("malformed", path_contains="openid-configuration"))
    with pytest.raises(SignInFailed, match="damaged configuration"):
        client(google).sign_in(open_browser=fake_browser, timeout=5)
    google.inject(Fault("http", status=503, path_contains="openid-configuration"))
    with pytest.raises(SignInFailed, match="HTTP 503"):
        client(google).sign_in(open_browser=fake_browser, timeout=5)


def test_signing_keys_that_cannot_be_fetched_are_one_sentence(google):
    google.inject(Fault("http", status=500, path_contains="jwks"))
    with pytest.raises(SignInFailed, match="signing keys"):
        client(google).sign_in(open_browser=fake_browser, timeout=20)


def test_the_network_failing_during_the_code_exchange_is_one_sentence(google):
    sign_in = GoogleSignIn(
        SignInConfig(google.client_id, google.client_secret, issuer=google.url),
        http=httpx.Client(timeout=0.5),
    )
    google.inject(Fault("timeout", seconds=2, path_contains="/token"))
    with pytest.raises(SignInFailed, match="cannot be reached; check the internet connection"):
        sign_in.sign_in(open_browser=fake_browser, timeout=20)
