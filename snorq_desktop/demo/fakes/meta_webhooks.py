"""The webhook bodies the fake Meta sends, in the shapes Meta really sends them:
WhatsApp statuses with ``conversation`` / ``pricing`` and failures with
``errors[]``, reactions, replies with ``context``, edits, revokes and Coexistence
echoes (``smb_message_echoes``); Messenger deliveries and reads by ``watermark``
with no ``timestamp``, reactions, edits, deletes and page echoes."""

from typing import Any

# What WhatsApp says when a message could not be delivered (a real error code).
UNDELIVERABLE = {
    "code": 131026,
    "title": "Message undeliverable",
    "message": "Message undeliverable",
    "error_data": {"details": "Message could not be delivered to the recipient's phone."},
    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
}


def whatsapp_envelope(
    account: str, value: dict[str, Any], field: str = "messages"
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": field,
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "000", "phone_number_id": account},
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def whatsapp_status(
    account: str, person: str, message_id: str, status: str, at: int
) -> dict[str, Any]:
    update: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(at),
        "recipient_id": person,
    }
    if status == "failed":
        update["errors"] = [UNDELIVERABLE]
    else:
        update["conversation"] = {
            "id": f"conv-{person}",
            "origin": {"type": "service"},
            **({"expiration_timestamp": str(at + 86400)} if status == "sent" else {}),
        }
        update["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    return whatsapp_envelope(account, {"statuses": [update]})


def whatsapp_from_customer(
    account: str, person: str, name: str, message: dict[str, Any]
) -> dict[str, Any]:
    """A customer's message (text, file, reaction, edit, revoke…): ``message`` has
    its id, timestamp, type and the type's own fields."""
    return whatsapp_envelope(
        account,
        {
            "contacts": [{"profile": {"name": name}, "wa_id": person}],
            "messages": [{"from": person, **message}],
        },
    )


def whatsapp_echo(account: str, person: str, name: str, message: dict[str, Any]) -> dict[str, Any]:
    """A message the business sent from the WhatsApp Business app (Coexistence)."""
    return whatsapp_envelope(
        account,
        {
            "contacts": [{"profile": {"name": name}, "wa_id": person}],
            "message_echoes": [{"from": "000", "to": person, **message}],
        },
        field="smb_message_echoes",
    )


def messenger_event(page: str, at_ms: int, event: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": page, "time": at_ms, "messaging": [event]}]}


def messenger_receipt(
    page: str, person: str, kind: str, at_ms: int, mids: list[str]
) -> dict[str, Any]:
    """A delivery (with the mids) or a read: by watermark, and no timestamp."""
    receipt: dict[str, Any] = {"watermark": at_ms}
    if kind == "delivery":
        receipt["mids"] = mids
    return messenger_event(
        page, at_ms, {"sender": {"id": person}, "recipient": {"id": page}, kind: receipt}
    )


def messenger_from_customer(page: str, person: str, at_ms: int, **event: Any) -> dict[str, Any]:
    return messenger_event(
        page,
        at_ms,
        {"sender": {"id": person}, "recipient": {"id": page}, "timestamp": at_ms, **event},
    )


def messenger_page_echo(page: str, person: str, at_ms: int, mid: str, text: str) -> dict[str, Any]:
    """A message the page sent from Meta Business Suite."""
    return messenger_event(
        page,
        at_ms,
        {
            "sender": {"id": page},
            "recipient": {"id": person},
            "timestamp": at_ms,
            "message": {"mid": mid, "text": text, "is_echo": True, "app_id": 263902037430900},
        },
    )
