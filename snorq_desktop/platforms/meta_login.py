"""Facebook Login's wire calls (for Messenger) and the WhatsApp phone number
check: authorize URL, code → user token → long-lived token → the person's pages.

Synchronous on purpose: these run once, on a worker thread, while a person
waits in the browser; nothing else shares their client.
"""

from typing import Any
from urllib.parse import urlencode

import httpx

from snorq_desktop.domain.connections import FacebookPage
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.errors import PermanentFailure, TemporaryFailure
from snorq_desktop.platforms.meta_api import raise_for_graph_error

DEFAULT_DIALOG_URL = "https://www.facebook.com/v21.0/dialog/oauth"
# Read and answer the page's conversations; list the pages to choose from.
MESSENGER_SCOPES = (
    "pages_show_list",
    "pages_messaging",
    "pages_manage_metadata",
    "pages_read_engagement",
)


def facebook_authorize_url(dialog_url: str, app_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {
            "client_id": app_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": ",".join(MESSENGER_SCOPES),
        }
    )
    return f"{dialog_url}?{query}"


def _get(http: httpx.Client, url: str, **kwargs: Any) -> Any:
    try:
        response = http.get(url, **kwargs)
    except httpx.TimeoutException:
        raise TemporaryFailure("Meta did not answer in time.") from None
    except httpx.TransportError as error:
        raise TemporaryFailure(f"Meta could not be reached ({type(error).__name__}).") from None
    return raise_for_graph_error(response)


def _token(body: Any) -> SecretToken:
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise TemporaryFailure("Meta's answer carried no access token.")
    return SecretToken(token)


def exchange_code(
    http: httpx.Client,
    graph_url: str,
    *,
    app_id: str,
    app_secret: SecretToken,
    code: str,
    redirect_uri: str,
) -> SecretToken:
    """The short-lived user token for the dialog's code."""
    return _token(
        _get(
            http,
            f"{graph_url.rstrip('/')}/oauth/access_token",
            params={
                "client_id": app_id,
                "client_secret": app_secret.reveal(),
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
    )


def long_lived_token(
    http: httpx.Client, graph_url: str, *, app_id: str, app_secret: SecretToken, token: SecretToken
) -> SecretToken:
    """A ~60-day user token; the page tokens listed with it do not expire."""
    return _token(
        _get(
            http,
            f"{graph_url.rstrip('/')}/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": app_id,
                "client_secret": app_secret.reveal(),
                "fb_exchange_token": token.reveal(),
            },
        )
    )


def managed_pages(
    http: httpx.Client, graph_url: str, user_token: SecretToken
) -> list[FacebookPage]:
    """The pages the person manages, each with its page access token (GET /me/accounts)."""
    pages: list[FacebookPage] = []
    url: str | None = f"{graph_url.rstrip('/')}/me/accounts"
    params: dict[str, str] | None = {"fields": "id,name,access_token,tasks", "limit": "100"}
    while url:
        body = _get(
            http, url, params=params, headers={"Authorization": f"Bearer {user_token.reveal()}"}
        )
        for entry in body.get("data", []) if isinstance(body, dict) else []:
            if not isinstance(entry, dict):
                continue
            page_id, name, token = entry.get("id"), entry.get("name"), entry.get("access_token")
            if isinstance(page_id, str) and isinstance(token, str) and token:
                tasks = entry.get("tasks")
                pages.append(
                    FacebookPage(
                        id=page_id,
                        name=name if isinstance(name, str) and name else page_id,
                        access_token=SecretToken(token),
                        tasks=tuple(t for t in tasks if isinstance(t, str))
                        if isinstance(tasks, list)
                        else (),
                    )
                )
        paging = body.get("paging") if isinstance(body, dict) else None
        following = paging.get("next") if isinstance(paging, dict) else None
        url, params = (following, None) if isinstance(following, str) else (None, None)
    return pages


def whatsapp_phone_number(
    http: httpx.Client, graph_url: str, phone_number_id: str, token: SecretToken
) -> tuple[str | None, str | None]:
    """(display phone number, verified business name) of a WhatsApp number the
    token may use; a PlatformError with Meta's reason when it may not."""
    if not phone_number_id.isdigit():
        raise PermanentFailure("A WhatsApp phone number id is a number, such as 106540352242922.")
    body = _get(
        http,
        f"{graph_url.rstrip('/')}/{phone_number_id}",
        params={"fields": "display_phone_number,verified_name"},
        headers={"Authorization": f"Bearer {token.reveal()}"},
    )
    number = body.get("display_phone_number") if isinstance(body, dict) else None
    name = body.get("verified_name") if isinstance(body, dict) else None
    return (
        number if isinstance(number, str) else None,
        name if isinstance(name, str) else None,
    )
