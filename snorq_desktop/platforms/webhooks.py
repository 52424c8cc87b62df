"""Which parser reads which webhook body."""

from typing import Any

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.platform_events import MalformedPayload, PlatformEvent, SkippedEvent
from snorq_desktop.platforms import messenger, tiktok, whatsapp
from snorq_desktop.platforms.payload import load_json

META = "meta"
TIKTOK = "tiktok"


def parse_body(source: str, raw: bytes) -> list[PlatformEvent]:
    """The events in a raw webhook body from ``source`` ("meta" or "tiktok").

    MalformedPayload only when the body as a whole is not a webhook of that
    source; inside one, what is not understood is a SkippedEvent or a placeholder."""
    body: Any = load_json(raw, "webhook body")
    if source == TIKTOK:
        return tiktok.parse_webhook(body)
    if source == META:
        kind = body.get("object") if isinstance(body, dict) else None
        if kind == "whatsapp_business_account":
            return whatsapp.parse_webhook(body)
        if kind == "page":
            return messenger.parse_webhook(body)
        if isinstance(kind, str):  # instagram, permissions, user…: not for this inbox
            return [SkippedEvent(Platform.FACEBOOK, f"object {kind}")]
        raise MalformedPayload("body.object is missing: not a Meta webhook.")
    raise MalformedPayload(f"unknown webhook source {source!r}")
