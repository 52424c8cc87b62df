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

    async def send_text(self, account: Account, to: Recipient, text: str, *, now: datetime) -> str:
        payload: dict[str, Any] = {
            "recipient": {"id": to.contact_id},
            "message": {"text": text},
            **self._messaging(to, now),
        }
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
    ) -> str:
        """The Send API's multipart upload (``filedata``); Messenger attachments
        carry no caption, so the caller sends one as its own message."""
        kind = _ATTACHMENT.get(file.content_type, "file")
        form = {
            "recipient": json.dumps({"id": to.contact_id}),
            "message": json.dumps({"attachment": {"type": kind, "payload": {"is_reusable": True}}}),
            **self._messaging(to, now),
        }
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
            params={"fields": "messages{id,created_time,from,to,message,attachments}"},
        )
        found = []
        for n, message in enumerate(
            items(field(body, "messages", dict, "body"), "data", "messages")
        ):
            where = f"messages.data[{n}]"
            sender = identifier(field(message, "from", dict, where), "id", f"{where}.from")
            attachments = items(optional(message, "attachments", dict) or {}, "data", where)
            content_type, media_url, mime = ContentType.TEXT, None, None
            if attachments:
                mime = optional(attachments[0], "mime_type", str) or ""
                media_url = _attachment_url(attachments[0])
                content_type = (
                    ContentType.IMAGE
                    if mime.startswith("image/")
                    else ContentType.VIDEO
                    if mime.startswith("video/")
                    else ContentType.AUDIO
                    if mime.startswith("audio/")
                    else ContentType.FILE
                )
            found.append(
                PlatformMessage(
                    platform=Platform.FACEBOOK,
                    account_id=account.platform_user_id,
                    conversation_id=contact,
                    contact_id=contact,
                    message_id=identifier(message, "id", where),
                    direction=(
                        MessageDirection.OUTBOUND
                        if sender == account.platform_user_id
                        else MessageDirection.INBOUND
                    ),
                    sent_at=_parse_time(message.get("created_time"), f"{where}.created_time"),
                    content=optional(message, "message", str) or None,
                    content_type=content_type,
                    media_id=media_url,
                    media_type=mime or None,
                    contact_name=(
                        optional(message["from"], "name", str)
                        if sender != account.platform_user_id
                        else None
                    ),
                )
            )
        return found
