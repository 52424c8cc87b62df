"""WhatsApp Cloud API client: sending (text, files, templates), read receipts and
media downloads.  Inbound comes by webhook only."""

from datetime import datetime, timedelta
from typing import Any

import httpx

from snorq_desktop.domain.attachments import (
    KEEP_AT_MOST,
    DownloadedFile,
    FileToSend,
    MediaToFetch,
)
from snorq_desktop.domain.enums import ContentType, Platform
from snorq_desktop.domain.platform_events import MalformedPayload, PlatformMessage
from snorq_desktop.domain.templates import MessageTemplate, TemplateToSend
from snorq_desktop.platforms.client import Account, Recipient
from snorq_desktop.platforms.errors import PermanentFailure, TemporaryFailure
from snorq_desktop.platforms.media import fetch_file, too_large
from snorq_desktop.platforms.meta_api import DEFAULT_GRAPH_URL, UsageMeter, graph, graph_pages
from snorq_desktop.platforms.payload import field, items, optional

SERVICE_WINDOW = timedelta(hours=24)
_KIND = {
    ContentType.IMAGE: "image",
    ContentType.VIDEO: "video",
    ContentType.AUDIO: "audio",
    ContentType.FILE: "document",
    ContentType.STICKER: "sticker",
}
_CAPTIONED = {"image", "video", "document"}


def _context(reply_to: str | None) -> dict[str, Any]:
    """A reply quoting the customer's message: ``context.message_id``."""
    return {"context": {"message_id": reply_to}} if reply_to else {}


class WhatsAppClient:
    platform = Platform.WHATSAPP

    def __init__(self, http: httpx.AsyncClient, base_url: str = DEFAULT_GRAPH_URL) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self.usage = UsageMeter()

    def _check_window(self, to: Recipient, now: datetime) -> None:
        if to.last_inbound_at is None or now - to.last_inbound_at > SERVICE_WINDOW:
            raise PermanentFailure(
                "WhatsApp allows free replies only within 24 hours of the customer's last "
                "message; outside it only an approved template can be sent.",
                code=131047,
            )

    async def _send(self, account: Account, to: Recipient, message: dict[str, Any]) -> str:
        body = await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/messages",
            account.access_token,
            usage=self.usage,
            json={
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": to.contact_id,
                **message,
            },
        )
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise TemporaryFailure("WhatsApp accepted the message but gave no id.") from None

    async def send_text(
        self,
        account: Account,
        to: Recipient,
        text: str,
        *,
        now: datetime,
        reply_to: str | None = None,
    ) -> str:
        self._check_window(to, now)
        message = {"type": "text", "text": {"body": text, "preview_url": False}}
        return await self._send(account, to, {**message, **_context(reply_to)})

    async def send_reaction(
        self, account: Account, to: Recipient, message_id: str, emoji: str
    ) -> None:
        """``type: reaction``; an empty emoji takes ours off (Cloud API)."""
        reaction = {"message_id": message_id, "emoji": emoji}
        await self._send(account, to, {"type": "reaction", "reaction": reaction})

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
        self._check_window(to, now)
        kind = _KIND.get(file.content_type)
        if kind is None:
            raise PermanentFailure(f"WhatsApp cannot send a {file.content_type.value.lower()}.")
        uploaded = await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/media",
            account.access_token,
            usage=self.usage,
            data={"messaging_product": "whatsapp", "type": file.mime_type},
            files={"file": (file.name, file.data, file.mime_type)},
        )
        media_id = uploaded.get("id") if isinstance(uploaded, dict) else None
        if not isinstance(media_id, str):
            raise TemporaryFailure("WhatsApp took the file but gave no media id.")
        media: dict[str, Any] = {"id": media_id}
        if caption and kind in _CAPTIONED:
            media["caption"] = caption
        if kind == "document":
            media["filename"] = file.name
        return await self._send(account, to, {"type": kind, kind: media, **_context(reply_to)})

    async def send_template(self, account: Account, to: Recipient, template: TemplateToSend) -> str:
        components = []
        if template.parameters:
            components.append(
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": v} for v in template.parameters],
                }
            )
        return await self._send(
            account,
            to,
            {
                "type": "template",
                "template": {
                    "name": template.name,
                    "language": {"code": template.language},
                    "components": components,
                },
            },
        )

    async def templates(self, account: Account, business_account_id: str) -> list[MessageTemplate]:
        """The business's approved templates (Graph: /{WABA_ID}/message_templates)."""
        found: list[MessageTemplate] = []
        async for body in graph_pages(
            self._http,
            f"{self._base}/{business_account_id}/message_templates",
            account.access_token,
            {
                "fields": "name,language,status,category,components",
                "status": "APPROVED",
                "limit": 100,
            },
            usage=self.usage,
        ):
            for n, entry in enumerate(items(body, "data", "templates", required=True)):
                where = f"data[{n}]"
                if optional(entry, "status", str) not in (None, "APPROVED"):
                    continue
                text = ""
                for component in items(entry, "components", where):
                    if optional(component, "type", str) in ("BODY", "body"):
                        text = optional(component, "text", str) or ""
                found.append(
                    MessageTemplate(
                        name=field(entry, "name", str, where),
                        language=field(entry, "language", str, where),
                        category=optional(entry, "category", str) or "",
                        body=text,
                    )
                )
        return found

    async def download(self, account: Account, media: MediaToFetch) -> DownloadedFile:
        # Two steps: the media id gives a short-lived URL, fetched with the same token.
        info = await graph(
            self._http,
            "GET",
            f"{self._base}/{media.reference}",
            account.access_token,
            usage=self.usage,
        )
        url = optional(info, "url", str) if isinstance(info, dict) else None
        if not url:
            raise MalformedPayload("WhatsApp's media answer has no url.")
        size = str(info.get("file_size", "")) if isinstance(info, dict) else ""
        if size.isdigit() and int(size) > KEEP_AT_MOST:
            raise too_large(int(size))
        return await fetch_file(
            self._http,
            url,
            headers={"Authorization": f"Bearer {account.access_token.reveal()}"},
            mime_type=optional(info, "mime_type", str) or media.mime_type,
            platform="WhatsApp",
        )

    async def mark_read(self, account: Account, to: Recipient, message_id: str) -> None:
        await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/messages",
            account.access_token,
            usage=self.usage,
            json={"messaging_product": "whatsapp", "status": "read", "message_id": message_id},
        )

    async def changed_conversations(self, account: Account, since: datetime | None) -> list[str]:
        return []  # WhatsApp cannot be polled: everything comes through the relay

    async def messages(self, account: Account, conversation_id: str) -> list[PlatformMessage]:
        return []
