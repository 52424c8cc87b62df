"""Messenger Platform webhooks (``"object": "page"``): messages, echoes of our own
sends, delivery and read watermarks."""

from typing import Any

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MalformedPayload,
    PlatformEvent,
    PlatformMessage,
    ReadUpTo,
)
from snorq_desktop.platforms.payload import field, from_unix, identifier, items, optional

_ATTACHMENTS = {
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "audio": ContentType.AUDIO,
    "file": ContentType.FILE,
    "location": ContentType.LOCATION,
}


def parse_webhook(body: Any) -> list[PlatformEvent]:
    if field(body, "object", str, "body") != "page":
        raise MalformedPayload("body.object is not page.")
    events: list[PlatformEvent] = []
    for e, entry in enumerate(items(body, "entry", "body", required=True)):
        page = identifier(entry, "id", f"entry[{e}]")
        for n, event in enumerate(items(entry, "messaging", f"entry[{e}]")):
            events.extend(_event(event, page, f"entry[{e}].messaging[{n}]"))
    return events


def _event(event: Any, page: str, where: str) -> list[PlatformEvent]:
    sender = identifier(field(event, "sender", dict, where), "id", f"{where}.sender")
    recipient = identifier(field(event, "recipient", dict, where), "id", f"{where}.recipient")
    at = from_unix(event.get("timestamp"), f"{where}.timestamp", milliseconds=True)
    if isinstance(event.get("message"), dict):
        return [_message(event["message"], page, sender, recipient, at, f"{where}.message")]
    if isinstance(event.get("delivery"), dict):
        delivery = event["delivery"]
        updates: list[PlatformEvent] = [
            DeliveryUpdate(
                platform=Platform.FACEBOOK,
                account_id=page,
                message_id=str(mid),
                status=MessageStatus.DELIVERED,
                at=at,
            )
            for mid in items(delivery, "mids", f"{where}.delivery")
            if isinstance(mid, str)
        ]
        if delivery.get("watermark") is not None:
            updates.append(
                ReadUpTo(
                    platform=Platform.FACEBOOK,
                    account_id=page,
                    contact_id=sender,
                    status=MessageStatus.DELIVERED,
                    at=from_unix(
                        delivery["watermark"], f"{where}.delivery.watermark", milliseconds=True
                    ),
                )
            )
        return updates
    if isinstance(event.get("read"), dict):
        return [
            ReadUpTo(
                platform=Platform.FACEBOOK,
                account_id=page,
                contact_id=sender,
                status=MessageStatus.READ,
                at=from_unix(
                    event["read"].get("watermark"), f"{where}.read.watermark", milliseconds=True
                ),
            )
        ]
    return []  # postbacks, reactions, referrals…: nothing for the inbox yet


def _message(
    message: dict[str, Any], page: str, sender: str, recipient: str, at: Any, where: str
) -> PlatformMessage:
    echo = message.get("is_echo") is True  # a message the page sent (from us or elsewhere)
    contact = recipient if echo else sender
    text = optional(message, "text", str)
    content_type, media_url = ContentType.TEXT, None
    attachments = items(message, "attachments", where)
    if attachments:
        first = attachments[0] if isinstance(attachments[0], dict) else {}
        content_type = _ATTACHMENTS.get(optional(first, "type", str) or "", ContentType.FILE)
        media_url = optional(optional(first, "payload", dict) or {}, "url", str)
    if not text and content_type is ContentType.TEXT:
        text = "Unsupported Messenger message"
        content_type = ContentType.FILE
    return PlatformMessage(
        platform=Platform.FACEBOOK,
        account_id=page,
        conversation_id=contact,  # the person's page-scoped id, as polling keys it too
        contact_id=contact,
        message_id=identifier(message, "mid", where),
        direction=MessageDirection.OUTBOUND if echo else MessageDirection.INBOUND,
        sent_at=at,
        content=text,
        content_type=content_type,
        media_id=media_url,
    )
