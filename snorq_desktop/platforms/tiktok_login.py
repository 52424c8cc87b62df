"""TikTok Business OAuth's wire calls: the authorize URL and code → tokens."""

from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from snorq_desktop.domain.platform_events import MalformedPayload
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.errors import TemporaryFailure
from snorq_desktop.platforms.payload import field, optional
from snorq_desktop.platforms.tiktok_api import check_envelope

DEFAULT_AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize"
TIKTOK_SCOPES = ("message.list.read", "message.list.send", "message.list.manage")


@dataclass(frozen=True)
class TikTokGrant:
    business_id: str  # open_id
    access_token: SecretToken
    refresh_token: SecretToken
    expires_in: int | None  # seconds


def tiktok_authorize_url(authorize_url: str, client_key: str, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {
            "client_key": client_key,
            "response_type": "code",
            "scope": ",".join(TIKTOK_SCOPES),
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{authorize_url}?{query}"


def exchange_auth_code(
    http: httpx.Client,
    api_url: str,
    *,
    client_key: str,
    client_secret: SecretToken,
    code: str,
    redirect_uri: str,
) -> TikTokGrant:
    try:
        response = http.post(
            f"{api_url.rstrip('/')}/tt_user/oauth2/token/",
            json={
                "client_id": client_key,
                "client_secret": client_secret.reveal(),
                "grant_type": "authorization_code",
                "auth_code": code,
                "redirect_uri": redirect_uri,
            },
        )
    except httpx.TimeoutException:
        raise TemporaryFailure("TikTok did not answer in time.") from None
    except httpx.TransportError as error:
        raise TemporaryFailure(f"TikTok could not be reached ({type(error).__name__}).") from None
    data = check_envelope(response)
    try:
        return TikTokGrant(
            business_id=field(data, "open_id", str, "data"),
            access_token=SecretToken(field(data, "access_token", str, "data")),
            refresh_token=SecretToken(field(data, "refresh_token", str, "data")),
            expires_in=optional(data, "expires_in", int),
        )
    except ValueError:
        raise MalformedPayload("TikTok's token answer has an empty token.") from None
