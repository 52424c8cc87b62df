"""Webhook bodies in the platforms' documented shapes (PLATFORMS.md), for tests."""

import json
from typing import Any


def whatsapp_message(
    n: int = 1,
    *,
    text: str = "Hi! Is the blue dress available?",
    phone_number_id: str = "106540352242922",
    wa_id: str = "447700900123",
    user_id: str | None = None,
    timestamp: int = 1764000000,
) -> dict[str, Any]:
    contact: dict[str, Any] = {"profile": {"name": "Ana Souza"}, "wa_id": wa_id}
    message: dict[str, Any] = {
        "from": wa_id,
        "id": f"wamid.HBgM{n}",
        "timestamp": str(timestamp + n),
        "type": "text",
        "text": {"body": text},
    }
    if user_id:
        contact["user_id"] = user_id
        message["from_user_id"] = user_id
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "447700900000",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [contact],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def whatsapp_status(
    message_id: str,
    status: str,
    *,
    phone_number_id: str = "106540352242922",
    timestamp: int = 1764000100,
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "447700900000",
                                "phone_number_id": phone_number_id,
                            },
                            "statuses": [
                                {
                                    "id": message_id,
                                    "status": status,
                                    "timestamp": str(timestamp),
                                    "recipient_id": "447700900123",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def messenger_message(
    n: int = 1,
    *,
    page_id: str = "1143561907842211",
    psid: str = "6200123",
    text: str = "Bonjour ! Vous livrez en Belgique ?",
    echo: bool = False,
) -> dict[str, Any]:
    sender, recipient = (page_id, psid) if echo else (psid, page_id)
    message: dict[str, Any] = {"mid": f"m_abc{n}", "text": text}
    if echo:
        message["is_echo"] = True
    return {
        "object": "page",
        "entry": [
            {
                "id": page_id,
                "time": 1764000000000,
                "messaging": [
                    {
                        "sender": {"id": sender},
                        "recipient": {"id": recipient},
                        "timestamp": 1764000000000 + n,
                        "message": message,
                    }
                ],
            }
        ],
    }


def tiktok_message(
    n: int = 1,
    *,
    business_id: str = "bc-7193318264",
    event: str = "im_receive_msg",
    text: str = "こんにちは！このネックレスはまだありますか？",
) -> dict[str, Any]:
    content = {
        "message_id": f"tt-{n}",
        "conversation_id": "conv+1==",
        "timestamp": 1764000000000 + n,
        "message_type": "text",
        "text": {"body": text},
        "from_user": {"id": "user-42", "role": "personal_account"},
        "to_user": {"id": business_id, "role": "business_account"},
    }
    if event == "im_send_msg":
        content["from_user"], content["to_user"] = content["to_user"], content["from_user"]
        content["message_tag"] = {"source": "API"}
    return {
        "event": event,
        "user_openid": business_id,
        "create_time": 1764000000,
        "content": json.dumps(content, ensure_ascii=False),
    }
