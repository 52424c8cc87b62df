"""The sign-in against the local OpenID Connect server, beside its raw limit.

- app: ``GoogleSignIn.sign_in`` end to end (discovery, loopback listener, the
  "browser" following the redirect, code exchange, JWKS, id_token checks);
- raw: the same HTTP requests made directly with one httpx client and no
  checks (discovery, authorize, the redirect to a throwaway listener, token,
  JWKS) — what the network and the server cost on their own;
- id_token: one RS256 check by ``verify_id_token`` beside one bare
  ``cryptography`` RSA verify.

    python -m bench.sign_in [--runs 30]
"""

import argparse
import hashlib
import secrets
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from snorq_desktop.auth.google import GoogleSignIn, SignInConfig
from snorq_desktop.auth.id_token import (
    b64url_decode,
    b64url_encode,
    rsa_key_from_jwk,
    verify_id_token,
)
from snorq_desktop.demo.fakes.oidc import FakeGoogle, visit


def app_sign_in(fake: FakeGoogle, http: httpx.Client) -> float:
    began = time.perf_counter()
    sign_in = GoogleSignIn(
        SignInConfig(fake.client_id, fake.client_secret, issuer=fake.url), http=http
    )
    sign_in.sign_in(open_browser=visit, timeout=30)
    return time.perf_counter() - began


class _Quiet(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def raw_sign_in(fake: FakeGoogle, http: httpx.Client) -> tuple[float, str, str]:
    began = time.perf_counter()
    listener = HTTPServer(("127.0.0.1", 0), _Quiet)
    redirect = f"http://127.0.0.1:{listener.server_address[1]}/"
    endpoints = http.get(f"{fake.url}/.well-known/openid-configuration").json()
    verifier = secrets.token_urlsafe(64)
    challenge = b64url_encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "client_id": fake.client_id,
        "redirect_uri": redirect,
        "state": "s",
        "nonce": "n",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    answer = http.get(f"{endpoints['authorization_endpoint']}?{urlencode(query)}")
    thread = threading.Thread(target=listener.handle_request)
    thread.start()
    http.get(answer.headers["location"])
    thread.join()
    listener.server_close()
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    tokens = http.post(
        endpoints["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "code_verifier": verifier,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
        },
    ).json()
    http.get(endpoints["jwks_uri"]).json()
    return time.perf_counter() - began, tokens["id_token"], "n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    fake = FakeGoogle()
    fake.start()
    with httpx.Client(timeout=10) as http:
        app_sign_in(fake, http)  # warm: imports, first connections
        app = [app_sign_in(fake, http) for _ in range(runs)]
        raw_runs = [raw_sign_in(fake, http) for _ in range(runs)]
        token, nonce = raw_runs[-1][1], raw_runs[-1][2]
        jwks = http.get(f"{fake.url}/jwks").json()["keys"]
    fake.stop()
    raw = [r[0] for r in raw_runs]
    ours, bare = [], []
    head, claims, signature = token.split(".")
    key = rsa_key_from_jwk(jwks[0])
    for _ in range(runs * 10):
        began = time.perf_counter()
        verify_id_token(
            token, jwks, issuer=fake.url, client_id=fake.client_id, nonce=nonce, now=time.time()
        )
        ours.append(time.perf_counter() - began)
        began = time.perf_counter()
        key.verify(
            b64url_decode(signature),
            f"{head}.{claims}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        bare.append(time.perf_counter() - began)

    def show(name: str, mine: list[float], baseline: list[float]) -> None:
        a, b = statistics.median(mine) * 1000, statistics.median(baseline) * 1000
        print(f"{name:<34} {a:8.2f} ms   raw {b:8.2f} ms   ratio {a / b:5.2f}x")

    show("sign-in, end to end (median)", app, raw)
    show("id_token check (median)", ours, bare)


if __name__ == "__main__":
    main()
