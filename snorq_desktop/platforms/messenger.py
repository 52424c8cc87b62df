"""Messenger Platform webhooks (``"object": "page"``): messages, echoes of the
page's sends, reactions, edits, deletes, delivery and read watermarks.

Each ``messaging`` item stands alone: one we do not need (account linking,
policy, hand-over, opt-in…) or cannot read is skipped, never the body.
Delivery and read events carry a ``watermark`` and may have no ``timestamp``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MalformedPayload,
    MessageDeletion,
    MessageEdit,
    PlatformEvent,
    PlatformMessage,
    Reaction,
    ReadUpTo,
    SkippedEvent,
)
from snorq_desktop.platforms.payload import field, from_unix, identifier, items, optional

_ATTACHMENTS = {
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "audio": ContentType.AUDIO,
    "file": ContentType.FILE,
    "location": ContentType.LOCATION,
}
# Kinds of messaging item the inbox does not need.
_NOT_NEEDED = (
    "account_linking",
    "policy_enforcement",
    "pass_thread_control",
    "take_thread_control",
    "request_thread_control",
    "app_roles",
    "optin",
    "referral",
    "game_play",
    "messaging_feedback",
    "response_feedback",
)


def parse_webhook(body: Any) -> list[PlatformEvent]:
    if field(body, "object", str, "body") != "page":
        raise MalformedPayload("body.object is not page.")
    events: list[PlatformEvent] = []
    for entry in items(body, "entry", "body", required=True):
        try:
            page = identifier(entry, "id", "entry")
        except MalformedPayload:
            events.append(SkippedEvent(Platform.FACEBOOK, "entry", "no page id"))
            continue
        if isinstance(entry, dict) and not isinstance(entry.get("messaging"), list):
            kind = "standby" if "standby" in entry else "changes" if "changes" in entry else "entry"
            events.append(SkippedEvent(Platform.FACEBOOK, kind))
            continue
        for event in entry["messaging"]:
            try:
                events.extend(_event(event, page, entry.get("time")))
            except MalformedPayload as error:
                events.append(SkippedEvent(Platform.FACEBOOK, _kind(event), error.sentence))
    return events


def _kind(event: Any) -> str:
    if not isinstance(event, dict):
        return "messaging"
    known = [k for k in event if k not in ("sender", "recipient", "timestamp")]
    return known[0] if known else "messaging"


def _event(event: Any, page: str, entry_time: Any) -> list[PlatformEvent]:
    kind = _kind(event)
    if kind in _NOT_NEEDED or not isinstance(event, dict):
        return [SkippedEvent(Platform.FACEBOOK, kind)]
    sender = optional(optional(event, "sender", dict), "id", str)
    recipient = optional(optional(event, "recipient", dict), "id", str)
    if sender is None:
        return [SkippedEvent(Platform.FACEBOOK, kind, "no sender")]
    contact = recipient if sender == page and recipient else sender
    if isinstance(event.get("delivery"), dict):
        return _delivery(event["delivery"], page, contact, event.get("timestamp"))
    if isinstance(event.get("read"), dict):
        watermark = event["read"].get("watermark") or event.get("timestamp")
        return [
            ReadUpTo(
                platform=Platform.FACEBOOK,
                account_id=page,
                contact_id=contact,
                status=MessageStatus.READ,
                at=from_unix(watermark, "read.watermark", milliseconds=True),
            )
        ]
    at = from_unix(event.get("timestamp") or entry_time, "timestamp", milliseconds=True)
    if isinstance(event.get("reaction"), dict):
        reaction = event["reaction"]
        react = optional(reaction, "action", str) != "unreact"
        emoji = optional(reaction, "emoji", str) or optional(reaction, "reaction", str)
        on = _OnMessage(page, contact, identifier(reaction, "mid", "reaction"), at)
        return [on.change(Reaction, emoji=emoji if react else None, by_business=sender == page)]
    if isinstance(event.get("message_edit"), dict):
        edit = event["message_edit"]
        on = _OnMessage(page, contact, identifier(edit, "mid", "message_edit"), at)
        return [on.change(MessageEdit, content=optional(edit, "text", str))]
    if isinstance(event.get("message"), dict):
        message = event["message"]
        if message.get("is_deleted") is True:
            on = _OnMessage(page, contact, identifier(message, "mid", "message"), at)
            return [on.change(MessageDeletion)]
        return _messages(message, page, contact, at)
    if isinstance(event.get("postback"), dict) and isinstance(event["postback"].get("mid"), str):
        postback = event["postback"]
        title = optional(postback, "title", str) or optional(postback, "payload", str)
        return [
            PlatformMessage(
                platform=Platform.FACEBOOK,
                account_id=page,
                conversation_id=contact,
                contact_id=contact,
                message_id=identifier(postback, "mid", "postback"),
                direction=MessageDirection.INBOUND,
                sent_at=at,
                content=f"Tapped “{title}”" if title else "Tapped a button",
            )
        ]
    return [SkippedEvent(Platform.FACEBOOK, kind)]


_Change = TypeVar("_Change", Reaction, MessageEdit, MessageDeletion)


@dataclass(frozen=True)
class _OnMessage:
    """What a reaction, an edit or a delete says of the earlier message it names."""

    page: str
    contact: str
    mid: str
    at: datetime

    def change(self, kind: type[_Change], **what: Any) -> _Change:
        return kind(
            platform=Platform.FACEBOOK,
            account_id=self.page,
            conversation_id=self.contact,
            message_id=self.mid,
            at=self.at,
            **what,
        )


def _delivery(delivery: dict[str, Any], page: str, contact: str, stamp: Any) -> list[PlatformEvent]:
    watermark = delivery.get("watermark")
    at_value = watermark if watermark is not None else stamp
    if at_value is None:
        return [SkippedEvent(Platform.FACEBOOK, "delivery", "no watermark or timestamp")]
    at = from_unix(at_value, "delivery.watermark", milliseconds=True)
    updates: list[PlatformEvent] = [
        DeliveryUpdate(
            platform=Platform.FACEBOOK,
            account_id=page,
            message_id=mid,
            status=MessageStatus.DELIVERED,
            at=at,
        )
        for mid in items(delivery, "mids", "delivery")
        if isinstance(mid, str)
    ]
    if watermark is not None:
        updates.append(
            ReadUpTo(
                platform=Platform.FACEBOOK,
                account_id=page,
                contact_id=contact,
                status=MessageStatus.DELIVERED,
                at=at,
            )
        )
    return updates


def _messages(message: dict[str, Any], page: str, contact: str, at: Any) -> list[PlatformEvent]:
    """One row per attachment (the first keeps the text and the platform's id)."""
    echo = message.get("is_echo") is True  # the page sent it: from us, or from elsewhere
    mid = identifier(message, "mid", "message")
    text = optional(message, "text", str)
    reply_to = optional(optional(message, "reply_to", dict), "mid", str)
    parts = [_attachment(a) for a in items(message, "attachments", "message")]
    if not parts:
        if text:
            parts = [(ContentType.TEXT, None, None)]
        elif isinstance(message.get("sticker_id"), int | str):
            parts = [(ContentType.STICKER, None, None)]
        else:
            parts = [(ContentType.TEXT, None, "Unsupported Messenger message (no text)")]
    rows: list[PlatformEvent] = []
    for n, (content_type, media_url, said) in enumerate(parts):
        content = said
        if n == 0 and text:
            content = f"{text}\n{said}" if said and said not in text else text
        rows.append(
            PlatformMessage(
                platform=Platform.FACEBOOK,
                account_id=page,
                conversation_id=contact,  # the person's page-scoped id, as polling keys it too
                contact_id=contact,
                message_id=mid if n == 0 else f"{mid}#{n + 1}",
                direction=MessageDirection.OUTBOUND if echo else MessageDirection.INBOUND,
                sent_at=at,
                content=content,
                content_type=content_type,
                media_id=media_url,
                reply_to=reply_to if n == 0 else None,
                sent_elsewhere=echo,
                placeholder=(said or "").startswith("Unsupported Messenger"),
            )
        )
    return rows


def _attachment(attachment: Any) -> tuple[ContentType, str | None, str | None]:
    """(what it is, its link, what to write for it) for one attachment."""
    kind = optional(attachment, "type", str) or "attachment"
    payload = optional(attachment, "payload", dict) or {}
    url = optional(payload, "url", str)
    if kind == "image" and payload.get("sticker_id") is not None:
        return ContentType.STICKER, url, None
    if kind == "location" or isinstance(payload.get("coordinates"), dict):
        place = payload.get("coordinates") or {}
        lat, long = _number(place.get("lat")), _number(place.get("long"))
        title = optional(attachment, "title", str) or optional(payload, "title", str)
        geo = f"geo:{lat},{long}" if lat is not None and long is not None else url
        return ContentType.LOCATION, geo, title or (f"{lat},{long}" if geo else "A location")
    if kind in _ATTACHMENTS:
        return _ATTACHMENTS[kind], url, None
    if kind == "template":
        elements = items(payload, "elements", "payload")
        first = elements[0] if elements and isinstance(elements[0], dict) else payload
        title = optional(first, "title", str) or optional(payload, "text", str)
        link = optional(first, "url", str) or optional(
            optional(first, "default_action", dict), "url", str
        )
        return ContentType.TEXT, None, _titled(title, link, "Sent a card")
    if kind == "fallback":
        title = optional(attachment, "title", str) or optional(payload, "title", str)
        link = optional(attachment, "url", str) or url
        return ContentType.TEXT, None, _titled(title, link, "Shared a link")
    if kind == "product":
        elements = items(optional(payload, "product", dict) or {}, "elements", "product")
        first = elements[0] if elements and isinstance(elements[0], dict) else {}
        title = optional(first, "title", str) or optional(first, "retailer_id", str)
        return ContentType.TEXT, None, _titled(title, None, "Shared a product")
    if url:  # share, ig_reel, reel, story_mention…: a link worth keeping
        return (
            ContentType.TEXT,
            None,
            _titled(optional(payload, "title", str), url, "Shared a link"),
        )
    return ContentType.TEXT, None, f"Unsupported Messenger message ({kind})"


def _titled(title: str | None, link: str | None, otherwise: str) -> str:
    parts = [p for p in (title, link) if p]
    return "\n".join(parts) if parts else otherwise


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
