"""Google sign-in for a desktop app (OAuth 2.0 for installed apps + OpenID Connect).

The system browser opens the issuer's authorization endpoint (Python's
``webbrowser``, which honours $BROWSER; never a web view inside the app, where
the app could read the password).  The browser comes back to a one-shot
listener on 127.0.0.1; PKCE (S256) binds the code to this app, ``state`` binds
the answer to this request, ``nonce`` binds the id_token to it.  Every endpoint
comes from the issuer's discovery document, so tests and the demo point
``SNORQ_GOOGLE_ISSUER`` at a local server.
"""

import contextlib
import hashlib
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from snorq_desktop.auth.id_token import GoogleAccount, b64url_encode, token_key_id, verify_id_token
from snorq_desktop.auth.redirect_catcher import RedirectCatcher
from snorq_desktop.domain.errors import SignInCancelled, SignInFailed

DEFAULT_ISSUER = "https://accounts.google.com"
SIGN_IN_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class SignInConfig:
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    issuer: str = DEFAULT_ISSUER


@dataclass(frozen=True)
class SignedIn:
    account: GoogleAccount
    refresh_token: str | None = field(repr=False)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


class GoogleSignIn:
    def __init__(self, config: SignInConfig, http: httpx.Client) -> None:
        if not config.client_id:
            raise SignInFailed(
                "No Google client id is set: put it in settings.json (google_client_id) or "
                "SNORQ_GOOGLE_CLIENT_ID."
            )
        self.config = config
        self._http = http  # the app's one client, made by the composition root
        self._discovery: dict[str, Any] | None = None

    # --- the issuer -------------------------------------------------------------

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            answer = self._http.get(url)
        except httpx.HTTPError:
            raise SignInFailed(
                f"The sign-in server {_host(url)} cannot be reached; check the internet "
                "connection and try again."
            ) from None
        if answer.status_code != 200:
            raise SignInFailed(
                f"The sign-in server {_host(url)} did not give its {what} "
                f"(HTTP {answer.status_code}); try again later."
            )
        try:
            data = answer.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise SignInFailed(f"The sign-in server {_host(url)} sent a damaged {what}.")
        return data

    def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            issuer = self.config.issuer.rstrip("/")
            found = self._get_json(f"{issuer}/.well-known/openid-configuration", "configuration")
            needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
            if not all(isinstance(found.get(name), str) for name in needed):
                raise SignInFailed(
                    f"The sign-in server {_host(issuer)} sent a damaged configuration."
                )
            if found["issuer"].rstrip("/") != issuer:
                raise SignInFailed(
                    f"The sign-in server at {_host(issuer)} calls itself {found.get('issuer')!r}, "
                    "not the issuer configured; nobody was signed in."
                )
            self._discovery = found
        return self._discovery

    def _keys(self) -> list[dict[str, Any]]:
        keys = self._get_json(self.discovery()["jwks_uri"], "signing keys").get("keys")
        return [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []

    # --- signing in -------------------------------------------------------------

    def sign_in(
        self,
        *,
        open_browser: Callable[[str], object] = webbrowser.open,
        timeout: float = SIGN_IN_TIMEOUT_SECONDS,
        cancel: threading.Event | None = None,
        on_url: Callable[[str], None] | None = None,
    ) -> SignedIn:
        """Opens the browser and waits (blocking) until the person came back,
        cancelled (``cancel`` set) or ``timeout`` passed.

        ``on_url`` receives the address to open; whoever shows it to the person
        (the command line prints it) makes a missing browser no dead end, so then
        the wait goes on; without it, no browser ends the sign-in with a sentence."""
        endpoints = self.discovery()
        with RedirectCatcher("Signed in", "Sign-in stopped") as listener:
            return self._sign_in_through(listener, endpoints, timeout, cancel, on_url, open_browser)

    def _sign_in_through(
        self,
        listener: RedirectCatcher,
        endpoints: dict[str, Any],
        timeout: float,
        cancel: threading.Event | None,
        on_url: Callable[[str], None] | None,
        open_browser: Callable[[str], object],
    ) -> SignedIn:
        verifier = secrets.token_urlsafe(64)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": listener.redirect_uri,
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": b64url_encode(hashlib.sha256(verifier.encode()).digest()),
            "code_challenge_method": "S256",
            "access_type": "offline",  # Google gives a refresh token only when asked
            "prompt": "select_account consent",
        }
        url = f"{endpoints['authorization_endpoint']}?{urlencode(query)}"
        if on_url is not None:
            on_url(url)
        # The browser may take a while to start: do not hold the listener up.
        no_browser = threading.Event()

        def open_it() -> None:
            if not open_browser(url) and on_url is None:
                no_browser.set()

        threading.Thread(target=open_it, daemon=True).start()
        cancel = cancel or threading.Event()
        answer = listener.wait(timeout, cancel, no_browser)
        if answer is None:
            if no_browser.is_set():
                raise SignInFailed(
                    "No web browser could be opened on this computer; set the BROWSER "
                    "environment variable to one, then sign in again."
                )
            if cancel.is_set():
                raise SignInCancelled("Sign-in cancelled; nobody was signed in.")
            minutes = max(1, round(timeout / 60))
            raise SignInCancelled(
                f"The sign-in was not finished in the browser within {minutes} "
                f"minute{'s' if minutes != 1 else ''}; start it again when ready."
            )
        if answer.get("state") != state:
            raise SignInFailed(
                "The browser's answer does not belong to this sign-in (possible forged sign-in); "
                "nobody was signed in."
            )
        if "error" in answer:
            if answer["error"] == "access_denied":
                raise SignInCancelled(
                    "Access was declined in the browser, so nobody was signed in."
                )
            raise SignInFailed(
                f"Google refused the sign-in ({answer['error']}"
                + (f": {answer['error_description']}" if answer.get("error_description") else "")
                + ")."
            )
        tokens = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": answer.get("code", ""),
                "redirect_uri": listener.redirect_uri,
                "code_verifier": verifier,
            }
        )
        account = self._checked(tokens, nonce)
        refresh = tokens.get("refresh_token")
        return SignedIn(account, refresh if isinstance(refresh, str) else None)

    def refresh(self, refresh_token: str) -> str:
        """A fresh access token for the stored refresh token (checks it still works)."""
        tokens = self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )
        access = tokens.get("access_token")
        if not isinstance(access, str):
            raise SignInFailed("The sign-in server gave no access token; sign in again.")
        return access

    def revoke(self, token: str) -> None:
        """Best effort: tell the issuer the refresh token is no longer wanted."""
        endpoint = self.discovery().get("revocation_endpoint")
        if isinstance(endpoint, str):
            # Signing out here does not depend on the issuer hearing of it.
            with contextlib.suppress(httpx.HTTPError):
                self._http.post(endpoint, data={"token": token}, timeout=5)

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        endpoint = self.discovery()["token_endpoint"]
        form = {**form, "client_id": self.config.client_id}
        if self.config.client_secret:
            form["client_secret"] = self.config.client_secret
        try:
            answer = self._http.post(endpoint, data=form)
        except httpx.HTTPError:
            raise SignInFailed(
                f"The sign-in server {_host(endpoint)} cannot be reached; check the internet "
                "connection and try again."
            ) from None
        try:
            data = answer.json()
        except ValueError:
            data = {}
        if answer.status_code != 200 or not isinstance(data, dict):
            error = data.get("error") if isinstance(data, dict) else None
            if error == "invalid_grant":
                raise SignInFailed("Google no longer accepts this sign-in; sign in again.")
            if error == "invalid_client":
                raise SignInFailed(
                    "Google does not know this app's client id and secret; check "
                    "google_client_id / google_client_secret in the settings."
                )
            raise SignInFailed(
                f"The sign-in server refused the exchange (HTTP {answer.status_code}"
                + (f", {error}" if error else "")
                + ")."
            )
        return data

    def _checked(self, tokens: dict[str, Any], nonce: str) -> GoogleAccount:
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("The sign-in server gave no identity token.")
        keys = self._keys()
        kid = token_key_id(id_token)
        if kid and not any(k.get("kid") == kid for k in keys):
            keys = self._keys()  # the issuer may have just rotated its keys: read them once more
        return verify_id_token(
            id_token,
            keys,
            issuer=self.discovery()["issuer"],
            client_id=self.config.client_id,
            nonce=nonce,
            now=time.time(),
        )
