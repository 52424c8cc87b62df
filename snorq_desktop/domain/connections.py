"""Platform connections as the connections page shows them."""

from dataclasses import dataclass
from datetime import datetime

from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.tokens import SecretToken


class LoginFailed(KnownError):
    """A platform login in the browser did not end in a connection."""


@dataclass(frozen=True)
class ConnectionRow:
    id: str
    platform: Platform
    account_name: str  # page name, phone number, TikTok account (else its id)
    platform_user_id: str
    status: ConnectionStatus
    last_sync_at: datetime | None
    error_message: str | None


@dataclass(frozen=True)
class DeletionImpact:
    """What goes with a connection when it is deleted."""

    conversations: int
    messages: int


@dataclass(frozen=True)
class FacebookPage:
    """A page the person manages, offered after Facebook Login."""

    id: str
    name: str
    access_token: SecretToken
    tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class WhatsAppSetup:
    """What to paste into Meta's dashboard so WhatsApp's webhooks reach the relay."""

    callback_url: str | None  # None: no relay address is set yet
    verify_token: SecretToken
