"""Meta Graph API (WhatsApp Cloud API and Messenger): requests and its errors."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.errors import (
    PermanentFailure,
    PlatformError,
    RateLimited,
    TemporaryFailure,
    TokenExpired,
)

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
_THROTTLING = {4, 17, 32, 613, 130429, 131056} | set(range(80001, 80015))
_PERMANENT = {100, 131047, 131026, 131051, 551, 10, 200, 230} | set(range(200, 300))


def _retry_after(response: httpx.Response) -> float | None:
    header = response.headers.get("retry-after")
    if header and header.replace(".", "", 1).isdigit():
        return float(header)
    for usage_header in ("x-business-use-case-usage", "x-app-usage"):
        usage = response.headers.get(usage_header)
        if usage and "estimated_time_to_regain_access" in usage:
            try:
                data = json.loads(usage)
            except ValueError:
                continue
            for entries in data.values() if isinstance(data, dict) else []:
                for entry in entries if isinstance(entries, list) else [entries]:
                    minutes = (
                        entry.get("estimated_time_to_regain_access")
                        if isinstance(entry, dict)
                        else None
                    )
                    if isinstance(minutes, int | float) and minutes > 0:
                        return float(minutes) * 60
    return None


def raise_for_graph_error(response: httpx.Response) -> Any:
    """The decoded body of a successful answer, or the right PlatformError."""
    try:
        body = response.json()
    except ValueError:
        raise TemporaryFailure(
            f"Meta answered HTTP {response.status_code} with something unreadable."
        ) from None
    error = body.get("error") if isinstance(body, dict) else None
    if response.status_code < 400 and not error:
        return body
    if not isinstance(error, dict):
        raise TemporaryFailure(f"Meta answered HTTP {response.status_code}.")
    code = error.get("code") if isinstance(error.get("code"), int) else None
    details = (
        error.get("error_data", {}).get("details")
        if isinstance(error.get("error_data"), dict)
        else None
    )
    message = str(details or error.get("message") or "unknown error")
    sentence = f"Meta refused the request: {message} (code {code})."
    if code == 190:
        raise TokenExpired(
            f"The connection's access token is no longer valid: {message}", code=code
        )
    if code in _THROTTLING or response.status_code == 429:
        raise RateLimited(sentence, code=code, retry_after=_retry_after(response))
    if response.status_code >= 500:
        raise TemporaryFailure(sentence, code=code)
    if code in _PERMANENT or 400 <= response.status_code < 500:
        raise PermanentFailure(sentence, code=code)
    raise PlatformError(sentence, code=code)


class UsageMeter:
    """The highest share of its allowance Meta reported lately (X-App-Usage,
    X-Business-Use-Case-Usage): above 80 % the engine slows down."""

    SLOW_DOWN_AT = 80.0

    def __init__(self) -> None:
        self.percent = 0.0
        self.regain_seconds = 0.0

    def read(self, response: httpx.Response) -> None:
        highest, regain = 0.0, 0.0
        for name in ("x-app-usage", "x-business-use-case-usage"):
            try:
                data = json.loads(response.headers.get(name, "") or "null")
            except ValueError:
                continue
            for entry in _usage_entries(data):
                for key in ("call_count", "total_time", "total_cputime"):
                    value = entry.get(key)
                    if isinstance(value, int | float):
                        highest = max(highest, float(value))
                minutes = entry.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float):
                    regain = max(regain, float(minutes) * 60)
        self.percent, self.regain_seconds = highest, regain

    def wait(self) -> float:
        if self.percent < self.SLOW_DOWN_AT:
            return 0.0
        # Near the limit: pause in proportion to how close it is (up to a minute),
        # or as long as Meta says it takes to regain access.
        return max(self.regain_seconds, 60.0 * (self.percent - self.SLOW_DOWN_AT) / 20.0)


def _usage_entries(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and any(k in data for k in ("call_count", "total_time")):
        return [data]
    entries: list[dict[str, Any]] = []
    if isinstance(data, dict):
        for value in data.values():
            for entry in value if isinstance(value, list) else [value]:
                if isinstance(entry, dict):
                    entries.append(entry)
    return entries


async def graph(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    token: SecretToken,
    *,
    usage: UsageMeter | None = None,
    **kwargs: Any,
) -> Any:
    try:
        response = await client.request(
            method, url, headers={"Authorization": f"Bearer {token.reveal()}"}, **kwargs
        )
    except httpx.TimeoutException:
        raise TemporaryFailure("Meta did not answer in time.") from None
    except httpx.TransportError as error:
        raise TemporaryFailure(f"Meta could not be reached ({type(error).__name__}).") from None
    if usage is not None:
        usage.read(response)
    return raise_for_graph_error(response)


async def graph_pages(
    client: httpx.AsyncClient,
    url: str,
    token: SecretToken,
    params: dict[str, Any],
    *,
    usage: UsageMeter | None = None,
) -> AsyncIterator[Any]:
    """Each page of a Graph list, following ``paging.next`` (which carries the
    query itself) until there is none or the caller stops reading."""
    next_url: str | None = url
    query: dict[str, Any] | None = params
    while next_url:
        body = await graph(client, "GET", next_url, token, usage=usage, params=query)
        yield body
        paging = body.get("paging") if isinstance(body, dict) else None
        following = paging.get("next") if isinstance(paging, dict) else None
        next_url, query = (following if isinstance(following, str) else None), None
