"""Webhook bodies in the shapes the platforms really send (see
../shared/real-payloads/README.md for the facts), written here for our tests:
TikTok's ``type`` / ``from`` / ``to`` / roles, Messenger events without a
``timestamp`` or a ``sender``, WhatsApp reactions, edits, deletes, system
messages, Coexistence echoes and the field changes the inbox does not need."""

import json
from typing import Any

PHONE_NUMBER_ID = "106540352242922"
BUSINESS_PHONE = "447700900000"
PAGE_ID = "1143561907842211"
TIKTOK_BUSINESS = "bc-7193318264"


def whatsapp(field: str, value: dict[str, Any]) -> dict[str, Any]:
    """One change of ``field`` in a WhatsApp Business Account webhook."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"field": field, "value": value}]}],
    }


def whatsapp_value(
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    echoes: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": BUSINESS_PHONE, "phone_number_id": PHONE_NUMBER_ID},
    }
    if contacts is not None:
        value["contacts"] = contacts
    for key, listed in (
        ("messages", messages),
        ("statuses", statuses),
        ("message_echoes", echoes),
        ("errors", errors),
    ):
        if listed is not None:
            value[key] = listed
    return value


def person(
    wa_id: str | None = "351912000111", user_id: str | None = None, name: str = "Rita Lopes"
) -> dict[str, Any]:
    card: dict[str, Any] = {"profile": {"name": name}}
    if wa_id:
        card["wa_id"] = wa_id
    if user_id:
        card["user_id"] = user_id
    return card


def wa_message(kind: str, payload: Any, *, n: int = 1, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": "351912000111",
        "id": f"wamid.R{n}",
        "timestamp": str(1765000000 + n),
        "type": kind,
    }
    if payload is not None:
        message[kind] = payload
    message.update(extra)
    return message


def wa_messages(
    *messages: dict[str, Any], contacts: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return whatsapp(
        "messages", whatsapp_value(messages=list(messages), contacts=contacts or [person()])
    )


def messenger(*events: dict[str, Any], time: int | None = 1765000000000) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": PAGE_ID, "messaging": list(events)}
    if time is not None:
        entry["time"] = time
    return {"object": "page", "entry": [entry]}


def from_customer(psid: str = "7300123", **event: Any) -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, **event}


def from_page(psid: str = "7300123", **event: Any) -> dict[str, Any]:
    return {"sender": {"id": PAGE_ID}, "recipient": {"id": psid}, **event}


def tiktok(event: str, content: dict[str, Any], *, create_time: int = 1765000000) -> dict[str, Any]:
    return {
        "client_key": "awtest",
        "event": event,
        "create_time": create_time,
        "user_openid": TIKTOK_BUSINESS,
        "content": json.dumps(content, ensure_ascii=False),
    }


def tiktok_content(
    kind: str, *, n: int = 1, outbound: bool = False, **extra: Any
) -> dict[str, Any]:
    customer = {"id": "tt-user-9", "role": "personal_account"}
    business = {"id": TIKTOK_BUSINESS, "role": "business_account"}
    content: dict[str, Any] = {
        "message_id": f"tt-m{n}",
        "timestamp": 1765000000000 + n,
        "conversation_id": "tt-conv-9",
        "from": "shop.official" if outbound else "mina.k",
        "from_user": business if outbound else customer,
        "to": "mina.k" if outbound else "shop.official",
        "to_user": customer if outbound else business,
        "type": kind,
    }
    content.update(extra)
    return content
