"""A local OpenID Connect provider standing in for Google: discovery document,
JWKS, /authorize (answers at once with a redirect to the app's loopback),
/token (checks the client secret and the PKCE code_verifier; RS256 id_tokens;
refresh tokens), /revoke.

What the "person in the browser" does is set on :attr:`FakeGoogle.behaviour`:
``"approve"`` (default), ``"deny"`` (error=access_denied), ``"wrong_state"``
(an answer to another request), ``"never"`` (the login page stays open: the
app times out or is cancelled).  Id-token faults, one sign-in each:
``"wrong_nonce"``, ``"expired"``, ``"other_key"`` (signed by a key the JWKS
does not hold, under the real key's id).
"""

import base64
import hashlib
import itertools
import json
import secrets
import threading
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from snorq_desktop.demo.fakes.server import FakePlatform, Fault, Reply, Request


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(number: int) -> str:
    return _b64(number.to_bytes((number.bit_length() + 7) // 8, "big"))


@dataclass
class FakeAccount:
    sub: str = "1098765432101234567890"
    email: str = "maya@example.com"
    name: str | None = "Maya Okafor"
    picture: str | None = "https://example.com/maya.png"
    email_verified: bool = True


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    account: FakeAccount


class FakeGoogle(FakePlatform):
    def __init__(
        self, *, client_id: str = "snorq-test-client", client_secret: str = "s3cret"
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.account = FakeAccount()
        self.behaviour = "approve"
        self.token_fault: str | None = None
        self.key_id = f"fake-{secrets.token_hex(4)}"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._grants: dict[str, _Grant] = {}
        self.refresh_tokens: dict[str, FakeAccount] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self._ids = itertools.count(1)

    # --- endpoints ----------------------------------------------------------------

    def error_reply(self, fault: Fault) -> Reply:
        return fault.status, {"error": "server_error"}, {}

    def handle(self, request: Request) -> Reply:
        route = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
            "/revoke": self._revoke,
        }.get(request.path)
        return route(request) if route else (404, {"error": "not_found"}, {})

    def _discovery(self, _: Request) -> Reply:
        return (
            200,
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "revocation_endpoint": f"{self.url}/revoke",
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            },
            {},
        )

    def _jwks(self, _: Request) -> Reply:
        numbers = self._key.public_key().public_numbers()
        key = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.key_id}
        return 200, {"keys": [{**key, "n": _uint(numbers.n), "e": _uint(numbers.e)}]}, {}

    def _authorize(self, request: Request) -> Reply:
        query = request.query
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id:
            return 400, {"error": "invalid_client"}, {}
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, {"error": "invalid_request", "error_description": "PKCE S256 required"}, {}
        redirect = query["redirect_uri"]
        if self.behaviour == "never":
            return 200, b"<html>Choose an account</html>", {"Content-Type": "text/html"}
        state = query.get("state", "")
        if self.behaviour == "wrong_state":
            state = "state-of-another-request"
        if self.behaviour == "deny":
            answer = {"error": "access_denied", "state": state}
        else:
            code = secrets.token_urlsafe(16)
            self._grants[code] = _Grant(
                self.client_id,
                redirect,
                query["code_challenge"],
                query.get("nonce", ""),
                self.account,
            )
            answer = {"code": code, "state": state}
        return 302, b"", {"Location": f"{redirect}?{urlencode(answer)}"}

    def _form(self, request: Request) -> dict[str, str]:
        raw = request.body if isinstance(request.body, bytes) else b""
        return {k: v[0] for k, v in parse_qs(raw.decode()).items()}

    def _token(self, request: Request) -> Reply:
        form = self._form(request)
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client"}, {}
        if form.get("grant_type") == "refresh_token":
            account = self.refresh_tokens.get(form.get("refresh_token", ""))
            if account is None:
                return 400, {"error": "invalid_grant"}, {}
            return 200, self._tokens(account, nonce=None, refresh=None), {}
        grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}, {}
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}, {}
        refresh = f"fake-refresh-{next(self._ids)}-{secrets.token_hex(8)}"
        self.refresh_tokens[refresh] = grant.account
        return 200, self._tokens(grant.account, nonce=grant.nonce, refresh=refresh), {}

    def _revoke(self, request: Request) -> Reply:
        self.refresh_tokens.pop(self._form(request).get("token", ""), None)
        return 200, {}, {}

    # --- tokens ------------------------------------------------------------------

    def _tokens(
        self, account: FakeAccount, *, nonce: str | None, refresh: str | None
    ) -> dict[str, Any]:
        fault, self.token_fault = self.token_fault, None
        now = int(self.clock.now())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": self.client_id,
            "sub": account.sub,
            "email": account.email,
            "email_verified": account.email_verified,
            "name": account.name,
            "picture": account.picture,
            "iat": now,
            "exp": now + 3600,
        }
        if nonce is not None:
            claims["nonce"] = "a-nonce-of-another-sign-in" if fault == "wrong_nonce" else nonce
        if fault == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        key = self._key
        if fault == "other_key":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        tokens: dict[str, Any] = {
            "access_token": f"fake-access-{secrets.token_hex(8)}",
            "expires_in": 3600,
            "token_type": "Bearer",
            "id_token": self._sign(claims, key),
        }
        if refresh is not None:
            tokens["refresh_token"] = refresh
        return tokens

    def _sign(self, claims: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": self.key_id}
        signed = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signed}.{_b64(signature)}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def visit(url: str) -> None:
    """What a browser does with the authorization URL: load it, and follow the
    provider's redirect to the app's loopback listener (if it gives one)."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        opener.open(url, timeout=10)
        return  # a login page: the person never finishes
    except urllib.error.HTTPError as answer:
        location = answer.headers.get("Location")
    if location:
        with urllib.request.urlopen(location, timeout=10) as back:
            back.read()


def fake_browser(url: str) -> bool:
    """An opener for ``GoogleSignIn.sign_in``: :func:`visit` on a thread, like a
    browser that starts and lives on its own."""
    threading.Thread(target=visit, args=(url,), daemon=True).start()
    return True


def serve(arguments: list[str]) -> None:
    """``python -m snorq_desktop.demo.fakes.oidc serve [EMAIL [NAME]]``: a stand-in Google
    for trying the sign-in by hand; prints the variables to point the app at it."""
    import time

    fake = FakeGoogle()
    if arguments:
        fake.account.email = arguments[0]
        fake.account.sub = "local-" + hashlib.sha256(arguments[0].encode()).hexdigest()[:16]
        fake.account.name = arguments[1] if len(arguments) > 1 else arguments[0].split("@")[0]
    url = fake.start()
    print(f"export SNORQ_GOOGLE_ISSUER={url}")
    print(f"export SNORQ_GOOGLE_CLIENT_ID={fake.client_id}")
    print(f"export SNORQ_GOOGLE_CLIENT_SECRET={fake.client_secret}")
    print(f"# signs in as {fake.account.name} <{fake.account.email}>; Ctrl+C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2:])
    else:
        # A "browser" for $BROWSER: `BROWSER="python -m snorq_desktop.demo.fakes.oidc %s"`.
        visit(sys.argv[1])
