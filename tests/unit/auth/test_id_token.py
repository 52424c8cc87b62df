"""The id_token check on its own: every way a token can be wrong, and nothing
but SignInFailed for any input."""

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from snorq_desktop.auth.id_token import verify_id_token
from snorq_desktop.domain.errors import SignInFailed

ISSUER, CLIENT, NONCE = "https://issuer.example", "client-1", "n-123"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwk(key: rsa.RSAPrivateKey, kid: str = "k1") -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    as_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")  # noqa: E731
    return {
        "kty": "RSA",
        "kid": kid,
        "n": _b64(as_bytes(numbers.n)),
        "e": _b64(as_bytes(numbers.e)),
    }


def _token(
    claims: dict[str, Any], header: dict[str, Any] | None = None, key: rsa.RSAPrivateKey = KEY
) -> str:
    head = header or {"alg": "RS256", "kid": "k1"}
    signed = f"{_b64(json.dumps(head).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signed}.{_b64(key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256()))}"


def _claims(**changes: object) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "123",
        "email": "Maya@Example.com",
        "email_verified": True,
        "nonce": NONCE,
        "iat": now,
        "exp": now + 3600,
        "name": "Maya",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def check(token: str):
    return verify_id_token(
        token, [_jwk(KEY)], issuer=ISSUER, client_id=CLIENT, nonce=NONCE, now=time.time()
    )


def test_a_good_token_gives_the_account():
    account = check(_token(_claims()))
    assert (account.subject, account.email, account.email_verified, account.name) == (
        "123",
        "maya@example.com",
        True,
        "Maya",
    )


def test_google_may_name_itself_without_the_scheme_and_list_audiences():
    account = check(_token(_claims(iss="issuer.example", aud=["other", CLIENT])))
    assert account.subject == "123"


@pytest.mark.parametrize(
    ("claims", "sentence"),
    [
        (_claims(iss="https://evil.example"), "another issuer"),
        (_claims(aud="someone-else"), "another app"),
        (_claims(nonce="other"), "does not answer this sign-in"),
        (_claims(nonce=None), "does not answer this sign-in"),
        (_claims(exp=int(time.time()) - 121), "expired"),
        (_claims(iat=int(time.time()) + 3600), "in the future"),
        (_claims(email=None), "email address"),
    ],
)
def test_wrong_claims_are_refused(claims, sentence):
    with pytest.raises(SignInFailed, match=sentence):
        check(_token(claims))


def test_a_little_clock_drift_is_allowed():
    assert check(_token(_claims(exp=int(time.time()) - 60))).subject == "123"


def test_unsigned_and_hmac_tokens_are_refused():
    body = _b64(json.dumps(_claims()).encode())
    unsigned = f"{_b64(json.dumps({'alg': 'none'}).encode())}.{body}."
    with pytest.raises(SignInFailed, match="not signed the way Google signs"):
        check(unsigned)
    hs = _token(_claims(), header={"alg": "HS256", "kid": "k1"})
    with pytest.raises(SignInFailed, match="not signed the way Google signs"):
        check(hs)


def test_a_token_signed_by_another_key_under_a_known_key_id_is_refused():
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SignInFailed, match="signature does not match"):
        check(_token(_claims(), key=other))


def test_altered_claims_break_the_signature():
    head, _, signature = _token(_claims()).split(".")
    forged = _b64(json.dumps(_claims(sub="admin")).encode())
    with pytest.raises(SignInFailed, match="signature does not match"):
        check(f"{head}.{forged}.{signature}")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_refused_with_a_sentence_and_nothing_else(text):
    with pytest.raises(SignInFailed):
        check(text)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(
            st.none(), st.integers(), st.text(max_size=20), st.booleans(), st.lists(st.integers())
        ),
        max_size=8,
    ),
    st.dictionaries(
        st.text(max_size=8), st.one_of(st.text(max_size=20), st.integers()), max_size=4
    ),
)
def test_any_signed_claims_and_header_give_an_account_or_a_sentence(claims, header):
    try:
        account = check(_token(claims, header={"alg": "RS256", **header}))
    except SignInFailed:
        return
    # Accepted only when every rule holds.
    assert claims.get("nonce") == NONCE and claims.get("iss") == ISSUER
    assert account.subject == claims["sub"]
