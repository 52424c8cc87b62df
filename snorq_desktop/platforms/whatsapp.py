"""WhatsApp Cloud API webhooks: messages, reactions, edits, deletes, statuses and
Coexistence echoes (messages the business sent from the WhatsApp Business app).

Nothing in a body refuses the rest of it: a change of a field the inbox does
not need is a SkippedEvent, a message we cannot read is a placeholder that
says what it was.
"""

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MalformedPayload,
    MessageDeletion,
    MessageEdit,
    PlatformEvent,
    PlatformMessage,
    Reaction,
    SkippedEvent,
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
    "played": MessageStatus.READ,  # a voice message listened to: read
    "failed": MessageStatus.FAILED,
}
_ECHOES = "smb_message_echoes"

Content = tuple[str | None, ContentType, str | None, str | None]


def parse_webhook(body: Any) -> list[PlatformEvent]:
    """Every event in one webhook POST body (already JSON-decoded)."""
    if field(body, "object", str, "body") != "whatsapp_business_account":
        raise MalformedPayload("body.object is not whatsapp_business_account.")
    events: list[PlatformEvent] = []
    for entry in items(body, "entry", "body", required=True):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            events.extend(_change(change))
    return events


def _change(change: Any) -> list[PlatformEvent]:
    kind = optional(change, "field", str) or "unknown"
    if kind not in ("messages", _ECHOES):
        # account updates, template reviews, calls, marketing preferences, flows…
        return [SkippedEvent(Platform.WHATSAPP, kind)]
    value = optional(change, "value", dict)
    account = optional(optional(value, "metadata", dict), "phone_number_id", str)
    if value is None or account is None:
        return [SkippedEvent(Platform.WHATSAPP, kind, "no phone_number_id")]
    people = _People(value)
    events: list[PlatformEvent] = []
    listed = "message_echoes" if kind == _ECHOES else "messages"
    for message in _list(value, listed):
        events.append(_one_message(message, account, people, value, echo=kind == _ECHOES))
    for status in _list(value, "statuses"):
        events.append(_status(status, account))
    return events


def _list(value: dict[str, Any], key: str) -> list[Any]:
    found = value.get(key)
    return found if isinstance(found, list) else []


class _People:
    """The names and ids in ``value.contacts``, to name a message's sender."""

    def __init__(self, value: dict[str, Any]) -> None:
        self.business_phone = optional(
            optional(value, "metadata", dict), "display_phone_number", str
        )
        self.cards = [c for c in _list(value, "contacts") if isinstance(c, dict)]

    def card(self, *ids: str | None) -> dict[str, Any]:
        wanted = {i for i in ids if i}
        for card in self.cards:
            if wanted & {optional(card, "user_id", str), optional(card, "wa_id", str)}:
                return card
        return self.cards[0] if len(self.cards) == 1 and not wanted else {}

    def only_user_id(self) -> str | None:
        ids = {optional(c, "user_id", str) for c in self.cards} - {None}
        return ids.pop() if len(ids) == 1 else None


def _one_message(
    message: Any, account: str, people: _People, value: dict[str, Any], *, echo: bool
) -> PlatformEvent:
    try:
        return _message(message, account, people, value, echo=echo)
    except MalformedPayload as error:
        return _unreadable(message, account, people, error.sentence, echo=echo)


def _who(message: dict[str, Any], people: _People, *, echo: bool) -> tuple[str, str | None]:
    """(the conversation's key, the person's phone number when we know it).

    Since 2026 a contact may have a business-scoped id (BSUID) and no phone
    number: the conversation is keyed on that id whenever it is there."""
    if echo:
        user_id = optional(message, "to_user_id", str)
        sides = [optional(message, "to", str), optional(message, "from", str)]
        # The customer is the side that is not the business's own number.
        phone = next((s for s in sides if s and s != people.business_phone), None)
    else:
        user_id = optional(message, "from_user_id", str)
        phone = optional(message, "from", str)
    card = people.card(user_id, phone)
    user_id = (
        user_id or optional(card, "user_id", str) or (None if phone else people.only_user_id())
    )
    key = user_id or phone
    if not key:
        raise MalformedPayload("the message names no sender (from / from_user_id).")
    return key, phone


def _aliases(key: str, phone: str | None, people: _People) -> tuple[str, ...]:
    card = people.card(key, phone)
    ids = {phone, optional(card, "wa_id", str), optional(card, "user_id", str)}
    return tuple(sorted(i for i in ids if i and i != key))


def _message(
    message: Any, account: str, people: _People, value: dict[str, Any], *, echo: bool
) -> PlatformEvent:
    where = "message"
    if not isinstance(message, dict):
        raise MalformedPayload("a message is not an object.")
    key, phone = _who(message, people, echo=echo)
    aliases = _aliases(key, phone, people)
    kind = optional(message, "type", str) or "unknown"
    message_id = identifier(message, "id", where)
    at = from_unix(message.get("timestamp"), f"{where}.timestamp")
    if kind == "reaction":
        reaction = field(message, "reaction", dict, where)
        return Reaction(
            platform=Platform.WHATSAPP,
            account_id=account,
            conversation_id=key,
            message_id=identifier(reaction, "message_id", f"{where}.reaction"),
            emoji=optional(reaction, "emoji", str) or None,
            by_business=echo,
            at=at,
            contact_aliases=aliases,
        )
    if kind == "edit":
        edit = field(message, "edit", dict, where)
        new = field(edit, "message", dict, f"{where}.edit")
        content = _content(new, optional(new, "type", str) or "text", value, where)[0]
        return MessageEdit(
            platform=Platform.WHATSAPP,
            account_id=account,
            conversation_id=key,
            message_id=identifier(edit, "original_message_id", f"{where}.edit"),
            content=content,
            at=at,
            contact_aliases=aliases,
        )
    if kind == "revoke":
        revoke = field(message, "revoke", dict, where)
        return MessageDeletion(
            platform=Platform.WHATSAPP,
            account_id=account,
            conversation_id=key,
            message_id=identifier(revoke, "original_message_id", f"{where}.revoke"),
            at=at,
            contact_aliases=aliases,
        )
    content, content_type, media_id, media_type = _content(message, kind, value, where)
    context = optional(message, "context", dict) or {}
    card = people.card(key, phone)
    return replace(
        _said_by(account, key, message_id, at, content, echo=echo, aliases=aliases),
        content_type=content_type,
        media_id=media_id,
        media_type=media_type,
        contact_name=optional(optional(card, "profile", dict), "name", str) or None,
        contact_username=phone if phone and phone != key else None,
        reply_to=optional(context, "id", str) if context.get("id") != message_id else None,
        forwarded=context.get("forwarded") is True or context.get("frequently_forwarded") is True,
        placeholder=kind != "text" and (content or "").startswith("Unsupported WhatsApp"),
    )


def _said_by(
    account: str,
    key: str,
    message_id: str,
    at: datetime,
    content: str | None,
    *,
    echo: bool,
    aliases: tuple[str, ...],
) -> PlatformMessage:
    """A message of the person keyed ``key``: theirs, or an echo of the business's."""
    return PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id=account,
        conversation_id=key,
        contact_id=key,
        message_id=message_id,
        direction=MessageDirection.OUTBOUND if echo else MessageDirection.INBOUND,
        sent_at=at,
        content=content,
        sent_elsewhere=echo,
        contact_aliases=aliases,
    )


def _unreadable(
    message: Any, account: str, people: _People, reason: str, *, echo: bool
) -> PlatformEvent:
    """A placeholder for a message we could not read, if it names a person and an id."""
    try:
        key, phone = _who(message, people, echo=echo)
        message_id = identifier(message, "id", "message")
    except MalformedPayload:
        return SkippedEvent(Platform.WHATSAPP, "message", reason)
    try:
        at = from_unix(message.get("timestamp"), "message.timestamp")
    except MalformedPayload:
        return SkippedEvent(Platform.WHATSAPP, "message", reason)
    kind = optional(message, "type", str) or "message"
    said = f"Unsupported WhatsApp message ({kind}: {reason})"
    aliases = _aliases(key, phone, people)
    return replace(
        _said_by(account, key, message_id, at, said, echo=echo, aliases=aliases),
        placeholder=True,
    )


def _reason(problems: list[Any]) -> str | None:
    """The platform's own words for what went wrong (title, then its details)."""
    for problem in problems:
        if not isinstance(problem, dict):
            continue
        title = optional(problem, "title", str) or optional(problem, "message", str)
        details = optional(optional(problem, "error_data", dict), "details", str)
        if title and details and details != title:
            return f"{title}: {details}"
        if title or details:
            return title or details
    return None


def _content(message: dict[str, Any], kind: str, value: dict[str, Any], where: str) -> Content:
    if kind == "text":
        return (
            field(field(message, "text", dict, where), "body", str, f"{where}.text"),
            ContentType.TEXT,
            None,
            None,
        )
    if kind in _MEDIA:
        media = field(message, kind, dict, where)
        caption = optional(media, "caption", str)
        if kind == "document" and (name := optional(media, "filename", str)):
            caption = f"{name}\n{caption}" if caption else name
        return caption, _MEDIA[kind], optional(media, "id", str), optional(media, "mime_type", str)
    if kind == "location":
        place = field(message, "location", dict, where)
        label = ", ".join(
            p for p in (optional(place, "name", str), optional(place, "address", str)) if p
        )
        coordinates = f"{place.get('latitude')},{place.get('longitude')}"
        return label or coordinates, ContentType.LOCATION, f"geo:{coordinates}", None
    if kind == "contacts":
        return _shared_contacts(items(message, "contacts", where)), ContentType.TEXT, None, None
    if kind in ("interactive", "button"):
        chosen = _chosen(message.get(kind))
        if chosen:
            return chosen, ContentType.TEXT, None, None
    if kind == "system":
        system = optional(message, "system", dict)
        said = optional(system, "body", str)
        if said:
            return said, ContentType.TEXT, None, None
    if kind == "order":
        return _order(field(message, "order", dict, where)), ContentType.TEXT, None, None
    # unsupported, or a type newer than this app: a visible placeholder that says why
    reason = _reason(items(message, "errors", where)) or _reason(_list(value, "errors"))
    detail = optional(optional(message, "unsupported", dict), "type", str)
    said = " · ".join(p for p in (detail or kind, reason) if p)
    return f"Unsupported WhatsApp message ({said})", ContentType.TEXT, None, None


def _chosen(reply: Any) -> str | None:
    """The title of the button or list row the customer chose, or a form's summary."""
    if not isinstance(reply, dict):
        return None
    if text := optional(reply, "text", str):
        return text
    for key in ("button_reply", "list_reply"):
        if title := optional(optional(reply, key, dict), "title", str):
            return title
    form = optional(reply, "nfm_reply", dict)
    if form is not None:
        return _form_answers(form)
    return None


def _form_answers(form: dict[str, Any]) -> str:
    answers: Any = None
    raw = optional(form, "response_json", str)
    if raw:
        try:
            answers = json.loads(raw)
        except ValueError:
            answers = None
    lines = [optional(form, "body", str) or "Sent a form"]
    if isinstance(answers, dict):
        lines += [
            f"{key.replace('_', ' ')}: {answer}"
            for key, answer in answers.items()
            if key != "flow_token" and isinstance(answer, str | int | float)
        ]
    return "\n".join(lines)


def _shared_contacts(cards: list[Any]) -> str:
    lines = []
    for card in cards:
        name = optional(optional(card, "name", dict), "formatted_name", str) or "A contact"
        phones = [optional(p, "phone", str) for p in items(card, "phones", "contact")]
        numbers = ", ".join(p for p in phones if p)
        lines.append(f"{name} ({numbers})" if numbers else name)
    return "Shared contact: " + "; ".join(lines) if lines else "Shared a contact"


def _order(order: dict[str, Any]) -> str:
    lines = []
    for item in items(order, "product_items", "order"):
        product = optional(item, "product_retailer_id", str) or "item"
        quantity, price = item.get("quantity"), item.get("item_price")
        currency = optional(item, "currency", str) or ""
        lines.append(f"{quantity} × {product} ({price} {currency})".replace(" )", ")"))
    note = optional(order, "text", str)
    return "\n".join(["Order:", *lines, *([note] if note else [])])


def _status(status: Any, account: str) -> PlatformEvent:
    kind = optional(status, "status", str) or "status"
    state = _STATUSES.get(kind)
    if state is None:
        return SkippedEvent(Platform.WHATSAPP, f"status {kind}")  # "deleted", "warning"…
    try:
        return DeliveryUpdate(
            platform=Platform.WHATSAPP,
            account_id=account,
            message_id=identifier(status, "id", "status"),
            status=state,
            at=from_unix(status.get("timestamp"), "status.timestamp"),
            error=_reason(items(status, "errors", "status")),
        )
    except MalformedPayload as error:
        return SkippedEvent(Platform.WHATSAPP, f"status {kind}", error.sentence)
