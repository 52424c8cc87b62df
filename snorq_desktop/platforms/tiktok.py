"""TikTok Business Messaging webhooks: ``content`` is a JSON string inside the JSON,
with lowercase message types."""

from typing import Any

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    MalformedPayload,
    PlatformEvent,
    PlatformMessage,
    ReadUpTo,
)
from snorq_desktop.platforms.payload import (
    field,
    from_unix,
    identifier,
    load_json,
    optional,
)

_TYPES = {
    "text": ContentType.TEXT,
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "emoji": ContentType.STICKER,
    "sticker": ContentType.STICKER,
    "share_post": ContentType.TEXT,
}


def parse_webhook(body: Any) -> list[PlatformEvent]:
    kind = field(body, "event", str, "body")
    business = identifier(body, "user_openid", "body")
    content = load_json(field(body, "content", str, "body"), "TikTok webhook content")
    if not isinstance(content, dict):
        raise MalformedPayload("body.content is not a JSON object.")
    if kind == "im_mark_read_msg":
        # the customer read the conversation up to this time
        return [
            ReadUpTo(
                platform=Platform.TIKTOK,
                account_id=business,
                contact_id=identifier(content, "conversation_id", "content"),
                status=MessageStatus.READ,
                at=from_unix(
                    content.get("timestamp") or body.get("create_time"),
                    "content.timestamp",
                    milliseconds=_looks_like_ms(content.get("timestamp")),
                ),
            )
        ]
    if kind not in ("im_receive_msg", "im_send_msg"):
        return []
    return [message_from(content, business, outbound=kind == "im_send_msg", where="content")]


def _looks_like_ms(value: Any) -> bool:
    try:
        return float(value) > 100_000_000_000
    except (TypeError, ValueError):
        return False


def message_from(
    content: dict[str, Any], business: str, *, outbound: bool, where: str
) -> PlatformMessage:
    """One TikTok message (webhook content, or an item of content/list)."""
    kind = field(content, "message_type", str, where).lower()
    sender = field(content, "from_user", dict, where)
    receiver = optional(content, "to_user", dict) or {}
    contact_side = receiver if outbound else sender
    contact = optional(contact_side, "id", str) or identifier(sender, "id", f"{where}.from_user")
    text = None
    if isinstance(content.get("text"), dict):
        text = optional(content["text"], "body", str)
    content_type = _TYPES.get(kind, ContentType.FILE)
    media_id = None
    if isinstance(content.get("image"), dict):
        media_id = optional(content["image"], "media_id", str)
    if kind == "share_post":
        text = text or "Shared a post"
    if content_type is ContentType.FILE and not text:
        text = f"Unsupported TikTok message ({kind})"
    stamp = content.get("timestamp")
    return PlatformMessage(
        platform=Platform.TIKTOK,
        account_id=business,
        conversation_id=identifier(content, "conversation_id", where),
        contact_id=contact,
        message_id=identifier(content, "message_id", where),
        direction=MessageDirection.OUTBOUND if outbound else MessageDirection.INBOUND,
        sent_at=from_unix(stamp, f"{where}.timestamp", milliseconds=_looks_like_ms(stamp)),
        content=text,
        content_type=content_type,
        media_id=media_id,
    )
