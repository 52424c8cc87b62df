"""One Protocol for the three platforms' APIs; the sync engine speaks only this."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from snorq_desktop.domain.attachments import DownloadedFile, FileToSend, MediaToFetch
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.platform_events import PlatformMessage
from snorq_desktop.domain.templates import MessageTemplate, TemplateToSend
from snorq_desktop.domain.tokens import SecretToken


@dataclass(frozen=True)
class Account:
    """What a client needs to act for one connection."""

    platform_user_id: str  # phone number id, page id, TikTok business id
    access_token: SecretToken


@dataclass(frozen=True)
class Recipient:
    conversation_id: str  # conversations.external_id
    contact_id: str  # conversations.contact_external_id
    last_inbound_at: datetime | None  # for the platforms' reply windows


@dataclass(frozen=True)
class AppKey:
    """The business's own app on a platform (TikTok's client key and secret)."""

    client_id: str
    client_secret: SecretToken


@dataclass(frozen=True)
class TokenGrant:
    access_token: SecretToken
    refresh_token: SecretToken | None
    expires_in: int | None  # seconds


class PlatformClient(Protocol):
    platform: Platform

    async def send_text(
        self,
        account: Account,
        to: Recipient,
        text: str,
        *,
        now: datetime,
        reply_to: str | None = None,
    ) -> str:
        """Send; the platform's message id.  Refuses (PermanentFailure) what the
        platform would refuse anyway, such as free text outside its window.
        ``reply_to``: the platform id of the message it answers (shown quoted)."""
        ...

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
        """Upload and send a file (with a caption where the platform takes one)."""
        ...

    async def download(self, account: Account, media: MediaToFetch) -> DownloadedFile:
        """A customer's file, from the platform's media store."""
        ...

    async def changed_conversations(self, account: Account, since: datetime | None) -> list[str]:
        """Conversation ids with activity after ``since`` (newest first)."""
        ...

    async def mark_read(self, account: Account, to: Recipient, message_id: str) -> None:
        """Tell the customer their messages were seen (where the platform allows)."""
        ...

    async def messages(self, account: Account, conversation_id: str) -> list[PlatformMessage]:
        """The messages the platform still shows of a conversation."""
        ...


@runtime_checkable
class TemplateSender(Protocol):
    """WhatsApp: approved templates, the only messages allowed outside its window."""

    async def templates(
        self, account: Account, business_account_id: str
    ) -> list[MessageTemplate]: ...

    async def send_template(
        self, account: Account, to: Recipient, template: TemplateToSend
    ) -> str: ...


@runtime_checkable
class ReactionSender(Protocol):
    """WhatsApp and Messenger: an emoji on a customer's message, or ours taken off."""

    async def send_reaction(
        self, account: Account, to: Recipient, message_id: str, emoji: str
    ) -> None:
        """``emoji`` "" takes ours off; sending the same one again changes nothing."""
        ...
