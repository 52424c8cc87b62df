"""TikTok Business Messaging webhooks: ``content`` is a JSON string inside the JSON.

As TikTok really sends it, the content names the message type ``type`` (older
notes and the content/list API say ``message_type``: both are read), carries
the sender's and receiver's usernames as ``from`` / ``to``, and each side's
``role`` (``personal_account``, ``business_account``).  A read receipt's time
is ``read.last_read_timestamp``; a read by the business itself is not the
customer reading.
"""

from typing import Any

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    MalformedPayload,
    PlatformEvent,
    PlatformMessage,
    ReadUpTo,
    SkippedEvent,
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
_BUSINESS = "business_account"
_NEEDED = ("im_receive_msg", "im_send_msg", "im_mark_read_msg")


def parse_webhook(body: Any) -> list[PlatformEvent]:
    if not isinstance(body, dict):
        raise MalformedPayload("The TikTok webhook body is not a JSON object.")
    kind = body.get("event")
    if not isinstance(kind, str):
        return [SkippedEvent(Platform.TIKTOK, "event without a name", "body.event is missing")]
    if kind not in _NEEDED:
        # tiktok.ping, authorization.removed, im_enter_direct_msg…: whatever their
        # content holds (the ping's is a sentence, not always JSON), not ours.
        return [SkippedEvent(Platform.TIKTOK, kind)]
    try:
        business = identifier(body, "user_openid", "body")
        raw = body.get("content")
        content = (
            raw
            if isinstance(raw, dict)
            else load_json(field(body, "content", str, "body"), "TikTok webhook content")
        )
        if not isinstance(content, dict):
            raise MalformedPayload("body.content is not a JSON object.")
    except MalformedPayload as error:
        # One event per body: skipped and logged with the reason, never a 400
        # that makes TikTok retry a body that will never read better.
        return [SkippedEvent(Platform.TIKTOK, kind, error.sentence)]
    try:
        if kind == "im_mark_read_msg":
            return [_read(content, business, body.get("create_time"))]
        return [
            message_from(
                content,
                business,
                outbound=kind == "im_send_msg" or _is_business(content, "from", business),
                where="content",
                echo=kind == "im_send_msg",
            )
        ]
    except MalformedPayload as error:
        return [SkippedEvent(Platform.TIKTOK, kind, error.sentence)]


def _is_business(content: dict[str, Any], side: str, business: str) -> bool:
    person = optional(content, f"{side}_user", dict) or {}
    return optional(person, "role", str) == _BUSINESS or optional(person, "id", str) == business


def _read(content: dict[str, Any], business: str, create_time: Any) -> PlatformEvent:
    if _is_business(content, "from", business):
        return SkippedEvent(Platform.TIKTOK, "im_mark_read_msg", "the business read it")
    read = optional(content, "read", dict) or {}
    stamp = read.get("last_read_timestamp") or content.get("timestamp") or create_time
    try:
        return ReadUpTo(
            platform=Platform.TIKTOK,
            account_id=business,
            contact_id=identifier(content, "conversation_id", "content"),
            status=MessageStatus.READ,
            at=from_unix(
                stamp, "content.read.last_read_timestamp", milliseconds=_looks_like_ms(stamp)
            ),
        )
    except MalformedPayload as error:
        return SkippedEvent(Platform.TIKTOK, "im_mark_read_msg", error.sentence)


def _looks_like_ms(value: Any) -> bool:
    try:
        return float(value) > 100_000_000_000
    except (TypeError, ValueError):
        return False


def _said(content: dict[str, Any], kind: str) -> tuple[str | None, ContentType, str | None]:
    text = None
    if isinstance(content.get("text"), dict):
        text = optional(content["text"], "body", str)
    media_id = None
    for key in ("image", "video"):
        if isinstance(content.get(key), dict):
            media_id = optional(content[key], "media_id", str)
    if kind == "share_post":
        post = optional(content, "share_post", dict) or {}
        link = optional(post, "embed_url", str) or optional(post, "url", str)
        return "\n".join(p for p in ("Shared a post", link, text) if p), ContentType.TEXT, None
    content_type = _TYPES.get(kind)
    if content_type is None:
        return f"Unsupported TikTok message ({kind})", ContentType.TEXT, None
    return text, content_type, media_id


def message_from(
    content: dict[str, Any],
    business: str,
    *,
    outbound: bool,
    where: str,
    echo: bool = False,
) -> PlatformMessage:
    """One TikTok message (webhook content, or an item of content/list)."""
    kind = (optional(content, "type", str) or field(content, "message_type", str, where)).lower()
    sender = field(content, "from_user", dict, where)
    receiver = optional(content, "to_user", dict) or {}
    contact_side = receiver if outbound else sender
    contact = optional(contact_side, "id", str) or identifier(sender, "id", f"{where}.from_user")
    username = optional(content, "to" if outbound else "from", str) or None
    text, content_type, media_id = _said(content, kind)
    reference = optional(content, "referenced_message_info", dict) or {}
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
        contact_username=username,
        reply_to=optional(reference, "referenced_message_id", str)
        or optional(reference, "message_id", str),
        # im_send_msg: sent by the business, from the TikTok app or by us (same id, stored once)
        sent_elsewhere=echo,
        placeholder=content_type is ContentType.TEXT and kind not in ("text", "share_post"),
    )
