"""WhatsApp Cloud API client: sending and read receipts (inbound comes by webhook only)."""

from datetime import datetime, timedelta

import httpx

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.platforms.client import Account, Recipient
from snorq_desktop.platforms.errors import PermanentFailure, TemporaryFailure
from snorq_desktop.platforms.meta_api import DEFAULT_GRAPH_URL, UsageMeter, graph

SERVICE_WINDOW = timedelta(hours=24)


class WhatsAppClient:
    platform = Platform.WHATSAPP

    def __init__(self, http: httpx.AsyncClient, base_url: str = DEFAULT_GRAPH_URL) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self.usage = UsageMeter()

    async def send_text(self, account: Account, to: Recipient, text: str, *, now: datetime) -> str:
        if to.last_inbound_at is None or now - to.last_inbound_at > SERVICE_WINDOW:
            raise PermanentFailure(
                "WhatsApp allows free replies only within 24 hours of the customer's last "
                "message; outside it only an approved template can be sent.",
                code=131047,
            )
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
                "type": "text",
                "text": {"body": text, "preview_url": False},
            },
        )
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise TemporaryFailure("WhatsApp accepted the message but gave no id.") from None

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
