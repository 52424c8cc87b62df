"""TikTok Business Messaging API client.  Errors come back as HTTP 200 with a
non-zero ``code`` in the envelope."""

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from snorq_desktop.domain.attachments import DownloadedFile, FileToSend, MediaToFetch
from snorq_desktop.domain.enums import ContentType, Platform
from snorq_desktop.domain.platform_events import MalformedPayload, PlatformMessage
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.client import Account, AppKey, Recipient, TokenGrant
from snorq_desktop.platforms.errors import (
    PermanentFailure,
    PlatformError,
    RateLimited,
    TemporaryFailure,
    TokenExpired,
)
from snorq_desktop.platforms.media import fetch_file
from snorq_desktop.platforms.payload import field, from_unix, items, optional
from snorq_desktop.platforms.tiktok import message_from

DEFAULT_TIKTOK_URL = "https://business-api.tiktok.com/open_api/v1.3"


def _check(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise TemporaryFailure(f"TikTok answered HTTP {response.status_code}.")
    try:
        body = response.json()
    except ValueError:
        raise TemporaryFailure("TikTok answered with something unreadable.") from None
    code = body.get("code") if isinstance(body, dict) else None
    if code == 0:
        data = body.get("data")
        return data if isinstance(data, dict) else {}
    message = str(body.get("message", "unknown error")) if isinstance(body, dict) else "unknown"
    sentence = f"TikTok refused the request: {message} (code {code})."
    if code == 40100:
        raise RateLimited(
            sentence,
            code=code,
            retry_after=float(response.headers.get("retry-after", "0") or 0) or None,
        )
    if code == 40105:
        raise TokenExpired(f"The TikTok access token is no longer valid: {message}", code=code)
    if code in (40001, 40002, 40007, 40064):
        raise PermanentFailure(sentence, code=code)
    if code == 51065:
        raise TemporaryFailure(sentence, code=code)
    raise PlatformError(sentence, code=code if isinstance(code, int) else None)


def check_envelope(response: httpx.Response) -> dict[str, Any]:
    """The ``data`` of a successful TikTok answer, or the right PlatformError."""
    return _check(response)


def _no_quote(reply_to: str | None) -> None:
    # The send endpoint has no field for the message answered: sending it
    # unquoted would say something other than what the person meant.
    if reply_to:
        raise PermanentFailure("TikTok cannot send a reply to a specific message.")


class TikTokClient:
    platform = Platform.TIKTOK

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str = DEFAULT_TIKTOK_URL,
        *,
        client_id: str = "",
        client_secret: SecretToken | None = None,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret

    async def _call(
        self, method: str, path: str, account: Account | None, **kwargs: Any
    ) -> dict[str, Any]:
        headers = {"Access-Token": account.access_token.reveal()} if account else {}
        try:
            response = await self._http.request(
                method, f"{self._base}/{path}", headers=headers, **kwargs
            )
        except httpx.TimeoutException:
            raise TemporaryFailure("TikTok did not answer in time.") from None
        except httpx.TransportError as error:
            raise TemporaryFailure(
                f"TikTok could not be reached ({type(error).__name__})."
            ) from None
        return _check(response)

    async def send_text(
        self,
        account: Account,
        to: Recipient,
        text: str,
        *,
        now: datetime,
        reply_to: str | None = None,
    ) -> str:
        _no_quote(reply_to)
        if len(text) > 6000:
            raise PermanentFailure("TikTok messages are at most 6,000 characters.")
        return await self._send(account, to, {"message_type": "TEXT", "text": {"body": text}})

    async def _send(self, account: Account, to: Recipient, message: dict[str, Any]) -> str:
        data = await self._call(
            "POST",
            "business/message/send/",
            account,
            json={
                "business_id": account.platform_user_id,
                "recipient_type": "CONVERSATION",
                "recipient": to.conversation_id,
                **message,
            },
        )
        message_id = optional(optional(data, "message", dict) or {}, "message_id", str)
        if not message_id:
            raise TemporaryFailure("TikTok accepted the message but gave no id.")
        return message_id

    async def send_file(
        self,
        account: Account,
        to: Recipient,
        file: FileToSend,
        caption: str | None,
        *,
        now: datetime,
        reply_to: str | None = None,
    ) -> str:
        """One image per message, no text: upload it, then send its media id."""
        _no_quote(reply_to)
        if file.content_type is not ContentType.IMAGE:
            raise PermanentFailure("TikTok accepts only images as attachments.")
        uploaded = await self._call(
            "POST",
            "business/message/media/upload/",
            account,
            data={"business_id": account.platform_user_id, "media_type": "IMAGE"},
            files={"file": (file.name, file.data, file.mime_type)},
        )
        media_id = optional(uploaded, "media_id", str)
        if not media_id:
            raise TemporaryFailure("TikTok took the image but gave no media id.")
        return await self._send(
            account, to, {"message_type": "IMAGE", "image": {"media_id": media_id}}
        )

    async def download(self, account: Account, media: MediaToFetch) -> DownloadedFile:
        # Not in PLATFORMS.md: v1.3's media download call trades a message's
        # media id for a short-lived link.
        data = await self._call(
            "POST",
            "business/message/media/download/",
            account,
            json={
                "business_id": account.platform_user_id,
                "conversation_id": media.conversation_id,
                "message_id": media.message_external_id,
                "media_id": media.reference,
                "media_type": "IMAGE",
            },
        )
        url = optional(data, "download_url", str)
        if not url:
            raise MalformedPayload("TikTok's download answer has no download_url.")
        return await fetch_file(self._http, url, mime_type=media.mime_type, platform="TikTok")

    async def mark_read(self, account: Account, to: Recipient, message_id: str) -> None:
        return None  # TikTok's API documents no read receipt for businesses

    async def changed_conversations(self, account: Account, since: datetime | None) -> list[str]:
        changed: list[str] = []
        cursor: Any = None
        for kind in ("SINGLE", "STRANGER"):
            cursor = None
            while True:
                params: dict[str, Any] = {
                    "business_id": account.platform_user_id,
                    "conversation_type": kind,
                    "limit": 100,
                }
                if cursor is not None:
                    params["cursor"] = cursor
                data = await self._call(
                    "GET", "business/message/conversation/list/", account, params=params
                )
                stop = False
                for n, conversation in enumerate(items(data, "conversations", "data")):
                    stamp = conversation.get("update_time", conversation.get("up_time"))
                    updated = from_unix(stamp, f"conversations[{n}].update_time", milliseconds=True)
                    if since is not None and updated <= since:
                        stop = True
                        break
                    changed.append(
                        field(conversation, "conversation_id", str, f"conversations[{n}]")
                    )
                cursor = data.get("cursor")
                if stop or not data.get("has_more") or cursor is None:
                    break
        return changed

    async def messages(self, account: Account, conversation_id: str) -> list[PlatformMessage]:
        # Ids may hold "+": send it encoded, as TikTok wants.
        data = await self._call(
            "GET",
            f"business/message/content/list/?business_id={quote(account.platform_user_id)}"
            f"&conversation_id={quote(conversation_id, safe='')}",
            account,
        )
        names = {}
        for person in items(data, "participants", "data"):
            if isinstance(person, dict) and isinstance(person.get("id"), str):
                names[person["id"]] = person
        found = []
        for n, message in enumerate(items(data, "messages", "data")):
            sender = optional(optional(message, "from_user", dict) or {}, "id", str)
            parsed = message_from(
                message,
                account.platform_user_id,
                outbound=sender == account.platform_user_id,
                where=f"messages[{n}]",
            )
            person = names.get(parsed.contact_id, {})
            found.append(
                PlatformMessage(
                    **{
                        **{s: getattr(parsed, s) for s in PlatformMessage.__slots__},
                        "contact_name": optional(person, "display_name", str),
                        "contact_avatar_url": optional(person, "profile_image", str),
                    }
                )
            )
        return found

    async def refresh(self, refresh_token: SecretToken, app: AppKey | None = None) -> TokenGrant:
        """Trade a refresh token for new tokens; TikTok rotates the refresh token too.
        ``app``: the organisation's own TikTok app, else the one this client was made with."""
        client_id = app.client_id if app else self._client_id
        secret = app.client_secret if app else self._client_secret
        data = await self._call(
            "POST",
            "tt_user/oauth2/refresh_token/",
            None,
            json={
                "client_id": client_id,
                "client_secret": secret.reveal() if secret else "",
                "grant_type": "refresh_token",
                "refresh_token": refresh_token.reveal(),
            },
        )
        try:
            return TokenGrant(
                access_token=SecretToken(field(data, "access_token", str, "data")),
                refresh_token=SecretToken(field(data, "refresh_token", str, "data")),
                expires_in=optional(data, "expires_in", int),
            )
        except ValueError:
            raise MalformedPayload("TikTok's refresh answer has an empty token.") from None
