"""WhatsApp Cloud API webhooks: inbound messages and delivery statuses."""

from typing import Any

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MalformedPayload,
    PlatformEvent,
    PlatformMessage,
)
from snorq_desktop.platforms.payload import field, from_unix, identifier, items, optional

_MEDIA = {
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "audio": ContentType.AUDIO,
    "voice": ContentType.AUDIO,
    "document": ContentType.FILE,
    "sticker": ContentType.STICKER,
}
_STATUSES = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}


def parse_webhook(body: Any) -> list[PlatformEvent]:
    """Every message and status in one webhook POST body (already JSON-decoded)."""
    if field(body, "object", str, "body") != "whatsapp_business_account":
        raise MalformedPayload("body.object is not whatsapp_business_account.")
    events: list[PlatformEvent] = []
    for e, entry in enumerate(items(body, "entry", "body", required=True)):
        for c, change in enumerate(items(entry, "changes", f"entry[{e}]")):
            where = f"entry[{e}].changes[{c}]"
            if optional(change, "field", str) != "messages":
                continue  # account updates, template reviews…: not conversations
            value = field(change, "value", dict, where)
            account = identifier(
                field(value, "metadata", dict, f"{where}.value"),
                "phone_number_id",
                f"{where}.value.metadata",
            )
            names = _contact_names(value)
            for m, message in enumerate(items(value, "messages", f"{where}.value")):
                events.append(_message(message, account, names, f"{where}.value.messages[{m}]"))
            for s, status in enumerate(items(value, "statuses", f"{where}.value")):
                update = _status(status, account, f"{where}.value.statuses[{s}]")
                if update is not None:
                    events.append(update)
    return events


def _contact_names(value: dict[str, Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in items(value, "contacts", "value"):
        name = optional(optional(contact, "profile", dict) or {}, "name", str)
        for key in ("user_id", "wa_id"):
            if name and (ident := optional(contact, key, str)):
                names[ident] = name
    return names


def _message(message: Any, account: str, names: dict[str, str], where: str) -> PlatformMessage:
    # Since 2026 a contact may have a business-scoped id and no phone number:
    # key the conversation on that id whenever it is there.
    contact = optional(message, "from_user_id", str) or identifier(message, "from", where)
    phone = optional(message, "from", str)
    kind = field(message, "type", str, where)
    content, content_type, media_id, media_type = _content(message, kind, where)
    return PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id=account,
        conversation_id=contact,
        contact_id=contact,
        message_id=identifier(message, "id", where),
        direction=MessageDirection.INBOUND,
        sent_at=from_unix(message.get("timestamp"), f"{where}.timestamp"),
        content=content,
        content_type=content_type,
        media_id=media_id,
        media_type=media_type,
        contact_name=names.get(contact) or (names.get(phone) if phone else None),
        contact_username=phone if phone and phone != contact else None,
    )


def _content(
    message: dict[str, Any], kind: str, where: str
) -> tuple[str | None, ContentType, str | None, str | None]:
    if kind == "text":
        return (
            field(field(message, "text", dict, where), "body", str, f"{where}.text"),
            (ContentType.TEXT),
            None,
            None,
        )
    if kind in _MEDIA:
        media = field(message, kind, dict, where)
        caption = optional(media, "caption", str) or optional(media, "filename", str)
        return caption, _MEDIA[kind], optional(media, "id", str), optional(media, "mime_type", str)
    if kind == "location":
        place = field(message, "location", dict, where)
        label = ", ".join(
            p for p in (optional(place, "name", str), optional(place, "address", str)) if p
        )
        coordinates = f"{place.get('latitude')},{place.get('longitude')}"
        return label or coordinates, ContentType.LOCATION, f"geo:{coordinates}", None
    if kind == "reaction":
        emoji = optional(optional(message, "reaction", dict) or {}, "emoji", str)
        return (f"Reacted {emoji}" if emoji else "Removed a reaction"), ContentType.TEXT, None, None
    if kind == "contacts":
        cards = items(message, "contacts", where)
        names = [
            optional(optional(card, "name", dict) or {}, "formatted_name", str) for card in cards
        ]
        return "Shared contact: " + ", ".join(n for n in names if n), ContentType.TEXT, None, None
    if kind in ("interactive", "button"):
        reply = message.get(kind) if isinstance(message.get(kind), dict) else {}
        chosen = (
            optional(reply, "text", str)
            or optional(optional(reply, "button_reply", dict) or {}, "title", str)
            or optional(optional(reply, "list_reply", dict) or {}, "title", str)
        )
        return chosen or "Chose an option", ContentType.TEXT, None, None
    # unsupported, or a type newer than this app: keep a visible placeholder
    errors = items(message, "errors", where)
    reason = optional(errors[0], "title", str) if errors else None
    return (f"Unsupported WhatsApp message ({reason or kind})"), ContentType.FILE, None, None


def _status(status: Any, account: str, where: str) -> DeliveryUpdate | None:
    state = _STATUSES.get(field(status, "status", str, where))
    if state is None:
        return None  # "deleted", "warning": nothing to show
    error = None
    for problem in items(status, "errors", where):
        error = optional(problem, "title", str) or optional(problem, "message", str)
        break
    return DeliveryUpdate(
        platform=Platform.WHATSAPP,
        account_id=account,
        message_id=identifier(status, "id", where),
        status=state,
        at=from_unix(status.get("timestamp"), f"{where}.timestamp"),
        error=error,
    )
