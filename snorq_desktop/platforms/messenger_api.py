"""Messenger Platform client: conversations and messages by polling, and sending."""

from datetime import datetime, timedelta
from typing import Any

import httpx

from snorq_desktop.domain.enums import ContentType, MessageDirection, Platform
from snorq_desktop.domain.platform_events import MalformedPayload, PlatformMessage
from snorq_desktop.platforms.client import Account, Recipient
from snorq_desktop.platforms.errors import PermanentFailure, TemporaryFailure
from snorq_desktop.platforms.meta_api import DEFAULT_GRAPH_URL, UsageMeter, graph
from snorq_desktop.platforms.payload import field, identifier, items, optional

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


def _parse_time(value: Any, where: str) -> datetime:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        raise MalformedPayload(f"{where} is not a Graph time.") from None


class MessengerClient:
    platform = Platform.FACEBOOK

    def __init__(self, http: httpx.AsyncClient, base_url: str = DEFAULT_GRAPH_URL) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self.usage = UsageMeter()

    async def send_text(self, account: Account, to: Recipient, text: str, *, now: datetime) -> str:
        age = now - to.last_inbound_at if to.last_inbound_at else None
        if age is None or age > HUMAN_AGENT_WINDOW:
            raise PermanentFailure(
                "Messenger allows replies only within 7 days of the person's last message.",
                code=10,
            )
        payload: dict[str, Any] = {"recipient": {"id": to.contact_id}, "message": {"text": text}}
        if age <= STANDARD_WINDOW:
            payload["messaging_type"] = "RESPONSE"
        else:  # a person answering a person: allowed up to 7 days with this tag
            payload["messaging_type"] = "MESSAGE_TAG"
            payload["tag"] = "HUMAN_AGENT"
        body = await graph(
            self._http,
            "POST",
            f"{self._base}/{account.platform_user_id}/messages",
            account.access_token,
            usage=self.usage,
            json=payload,
        )
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
        url: str | None = f"{self._base}/{account.platform_user_id}/conversations"
        params: dict[str, Any] | None = {
            "platform": "messenger",
            "fields": "id,updated_time,participants",
            "limit": 25,
        }
        changed: list[str] = []
        while url:
            body = await graph(
                self._http, "GET", url, account.access_token, usage=self.usage, params=params
            )
            for n, conversation in enumerate(items(body, "data", "conversations", required=True)):
                updated = _parse_time(conversation.get("updated_time"), f"data[{n}].updated_time")
                if since is not None and updated <= since:
                    return changed
                changed.append(self._contact_of(conversation, account, f"data[{n}]"))
            paging = optional(body, "paging", dict) or {}
            url, params = optional(paging, "next", str), None
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
            content_type = ContentType.TEXT
            if attachments:
                mime = optional(attachments[0], "mime_type", str) or ""
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
                    contact_name=(
                        optional(message["from"], "name", str)
                        if sender != account.platform_user_id
                        else None
                    ),
                )
            )
        return found
