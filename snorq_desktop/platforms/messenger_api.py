"""Messenger Platform client: conversations and messages by polling, and sending."""

import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from snorq_desktop.domain.attachments import DownloadedFile, FileToSend, MediaToFetch
from snorq_desktop.domain.enums import ContentType, MessageDirection, Platform
from snorq_desktop.domain.platform_events import MalformedPayload, PlatformMessage
from snorq_desktop.platforms.client import Account, Recipient
from snorq_desktop.platforms.errors import PermanentFailure, TemporaryFailure
from snorq_desktop.platforms.media import fetch_file
from snorq_desktop.platforms.meta_api import DEFAULT_GRAPH_URL, UsageMeter, graph, graph_pages
from snorq_desktop.platforms.payload import field, identifier, items, optional

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


def _parse_time(value: Any, where: str) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        raise MalformedPayload(f"{where} is not a Graph time.") from None


_ATTACHMENT = {
    ContentType.IMAGE: "image",
    ContentType.STICKER: "image",
    ContentType.VIDEO: "video",
    ContentType.AUDIO: "audio",
}


def _attachment_url(attachment: Any) -> str | None:
    """Where a polled attachment can be downloaded (image_data, video_data or file_url)."""
    for key in ("image_data", "video_data"):
        data = optional(attachment, key, dict)
        if data and (url := optional(data, "url", str)):
            return url
    return optional(attachment, "file_url", str)


def _kind_of(mime: str) -> ContentType:
    for prefix, kind in (
        ("image/", ContentType.IMAGE),
        ("video/", ContentType.VIDEO),
        ("audio/", ContentType.AUDIO),
    ):
        if mime.startswith(prefix):
            return kind
    return ContentType.FILE


def _polled_parts(
    message: Any, where: str
) -> list[tuple[ContentType, str | None, str | None, str | None]]:
    """(kind, link, mime type, words) for each part of a polled message: every
    attachment, a sticker, shared links; the text goes with the first."""
    parts: list[tuple[ContentType, str | None, str | None, str | None]] = []
    for attachment in items(optional(message, "attachments", dict) or {}, "data", where):
        url = _attachment_url(attachment)
        mime = optional(attachment, "mime_type", str)
        if url is None and mime is None:
            # Europe: "Media not available due to new privacy rules…" -- say so.
            said = optional(attachment, "name", str) or "An attachment that is not available"
            parts.append((ContentType.TEXT, None, None, said))
            continue
        sticker = (optional(attachment, "image_data", dict) or {}).get("render_as_sticker")
        kind = ContentType.STICKER if sticker is True else _kind_of(mime or "")
        parts.append((kind, url, mime, None))
    if sticker_url := optional(message, "sticker", str):
        parts.append((ContentType.STICKER, sticker_url, None, None))
    for share in items(optional(message, "shares", dict) or {}, "data", where):
        link = optional(share, "link", str)
        title = optional(share, "name", str) or optional(share, "description", str)
        words = "\n".join(p for p in (title, link) if p)
        if words:
            parts.append((ContentType.TEXT, None, None, words))
    return parts


def _polled(message: Any, page: str, contact: str, where: str) -> list[PlatformMessage]:
    """One polled message: one row per attachment (``mid``, ``mid#2``… as webhooks
    store them), the text with the first."""
    sender = identifier(field(message, "from", dict, where), "id", f"{where}.from")
    mid = identifier(message, "id", where)
    text = optional(message, "message", str) or None
    parts = _polled_parts(message, where) or [(ContentType.TEXT, None, None, None)]
    rows = []
    for n, (kind, url, mime, said) in enumerate(parts):
        content = said
        if n == 0 and text:
            content = f"{text}\n{said}" if said else text
        rows.append(
            PlatformMessage(
                platform=Platform.FACEBOOK,
                account_id=page,
                conversation_id=contact,
                contact_id=contact,
                message_id=mid if n == 0 else f"{mid}#{n + 1}",
                direction=MessageDirection.OUTBOUND if sender == page else MessageDirection.INBOUND,
                sent_at=_parse_time(message.get("created_time"), f"{where}.created_time"),
                content=content,
                content_type=kind,
                media_id=url,
                media_type=mime,
                contact_name=optional(message["from"], "name", str) if sender != page else None,
            )
        )
    return rows


class MessengerClient:
    platform = Platform.FACEBOOK

    def __init__(self, http: httpx.AsyncClient, base_url: str = DEFAULT_GRAPH_URL) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self.usage = UsageMeter()

    @staticmethod
    def _messaging(to: Recipient, now: datetime) -> dict[str, str]:
        age = now - to.last_inbound_at if to.last_inbound_at else None
        if age is None or age > HUMAN_AGENT_WINDOW:
            raise PermanentFailure(
                "Messenger allows replies only within 7 days of the person's last message.",
                code=10,
            )
        if age <= STANDARD_WINDOW:
            return {"messaging_type": "RESPONSE"}
        # A person answering a person: allowed up to 7 days with this tag.
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}

    async def send_text(
        self,
        account: Account,
        to: Recipient,
        text: str,
        *,
        now: datetime,
        reply_to: str | None = None,
    ) -> str:
        payload: dict[str, Any] = {
            "recipient": {"id": to.contact_id},
            "message": {"text": text},
            **self._messaging(to, now),
        }
        if reply_to:  # the Send API's top-level reply_to, beside the message
            payload["reply_to"] = {"mid": reply_to}
        body = await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/messages",
            account.access_token,
            usage=self.usage,
            json=payload,
        )
        return self._message_id(body)

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
        """The Send API's multipart upload (``filedata``); Messenger attachments
        carry no caption, so the caller sends one as its own message."""
        kind = _ATTACHMENT.get(file.content_type, "file")
        form = {
            "recipient": json.dumps({"id": to.contact_id}),
            "message": json.dumps({"attachment": {"type": kind, "payload": {"is_reusable": True}}}),
            **self._messaging(to, now),
        }
        if reply_to:
            form["reply_to"] = json.dumps({"mid": reply_to})
        body = await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/messages",
            account.access_token,
            usage=self.usage,
            data=form,
            files={"filedata": (file.name, file.data, file.mime_type)},
        )
        return self._message_id(body)

    async def download(self, account: Account, media: MediaToFetch) -> DownloadedFile:
        # Messenger names a file by a signed CDN URL that needs no token.
        if not media.reference.startswith(("https://", "http://")):
            raise PermanentFailure("Messenger gave no download link for this file.")
        return await fetch_file(
            self._http, media.reference, mime_type=media.mime_type, platform="Messenger"
        )

    @staticmethod
    def _message_id(body: Any) -> str:
        message_id = body.get("message_id") if isinstance(body, dict) else None
        if not isinstance(message_id, str):
            raise TemporaryFailure("Messenger accepted the message but gave no id.")
        return message_id

    async def send_reaction(
        self, account: Account, to: Recipient, message_id: str, emoji: str
    ) -> None:
        """The sender actions ``react`` (any emoji) and ``unreact`` (the message only)."""
        payload: dict[str, Any] = {"message_id": message_id}
        if emoji:
            payload["reaction"] = emoji
        await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/messages",
            account.access_token,
            usage=self.usage,
            json={
                "recipient": {"id": to.contact_id},
                "sender_action": "react" if emoji else "unreact",
                "payload": payload,
            },
        )

    async def mark_read(self, account: Account, to: Recipient, message_id: str) -> None:
        await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/messages",
            account.access_token,
            usage=self.usage,
            json={"recipient": {"id": to.contact_id}, "sender_action": "mark_seen"},
        )

    async def changed_conversations(self, account: Account, since: datetime | None) -> list[str]:
        """Newest first; stops paging at the first conversation older than ``since``."""
        changed: list[str] = []
        async for body in graph_pages(
            self._http,
            f"{self._base}/{account.platform_user_id}/conversations",
            account.access_token,
            {"platform": "messenger", "fields": "id,updated_time,participants", "limit": 25},
            usage=self.usage,
        ):
            for n, conversation in enumerate(items(body, "data", "conversations", required=True)):
                updated = _parse_time(conversation.get("updated_time"), f"data[{n}].updated_time")
                if since is not None and updated <= since:
                    return changed
                changed.append(self._contact_of(conversation, account, f"data[{n}]"))
        return changed

    def _contact_of(self, conversation: Any, account: Account, where: str) -> str:
        # Conversations are keyed on the person's page-scoped id, as webhooks name them.
        for person in items(field(conversation, "participants", dict, where), "data", where):
            if identifier(person, "id", where) != account.platform_user_id:
                return f"{identifier(conversation, 'id', where)}|{identifier(person, 'id', where)}"
        raise MalformedPayload(f"{where} has no participant but the page.")

    async def messages(self, account: Account, conversation_id: str) -> list[PlatformMessage]:
        thread, _, contact = conversation_id.partition("|")
        body = await graph(
            self._http,
            "GET",
            f"{self._base}/{thread}",
            account.access_token,
            usage=self.usage,
            params={
                "fields": "messages{id,created_time,from,to,message,attachments,sticker,shares}"
            },
        )
        found: list[PlatformMessage] = []
        for n, message in enumerate(
            items(field(body, "messages", dict, "body"), "data", "messages")
        ):
            found += _polled(message, account.platform_user_id, contact, f"messages.data[{n}]")
        return found
