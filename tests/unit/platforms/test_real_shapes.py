"""The parsers read webhooks as the platforms really send them (fixtures in
tests/real_shapes.py, written from the facts in ../shared/real-payloads): what
the inbox does not need is skipped, never a refusal of the rest of the body;
what cannot be read becomes a placeholder that says what it was."""

from datetime import UTC, datetime

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MessageDeletion,
    MessageEdit,
    PlatformMessage,
    Reaction,
    ReadUpTo,
    SkippedEvent,
)
from snorq_desktop.platforms import messenger, tiktok, whatsapp
from tests import real_shapes as real


def only_message(events):
    [event] = events
    assert isinstance(event, PlatformMessage)
    return event


# --- WhatsApp -------------------------------------------------------------------


def test_whatsapp_changes_the_inbox_does_not_need_are_skipped_beside_a_message():
    body = real.wa_messages(real.wa_message("text", {"body": "Olá"}))
    body["entry"][0]["changes"][:0] = [
        {"field": "account_update", "value": {"event": "ACCOUNT_RESTRICTION"}},
        {"field": "calls", "value": {"calls": [{"id": "wacid.1", "event": "connect"}]}},
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}},
        {"field": "user_preferences", "value": {"user_preferences": []}},
    ]
    events = whatsapp.parse_webhook(body)
    assert [type(e).__name__ for e in events] == ["SkippedEvent"] * 4 + ["PlatformMessage"]
    assert [e.kind for e in events if isinstance(e, SkippedEvent)] == [
        "account_update",
        "calls",
        "message_template_status_update",
        "user_preferences",
    ]
    assert only_message(events[-1:]).content == "Olá"


def test_whatsapp_reactions_edits_and_deletes_name_another_message():
    [react, unreact, gone] = (
        whatsapp.parse_webhook(
            real.wa_messages(real.wa_message("reaction", {"message_id": "wamid.T", **emoji}))
        )[0]
        for emoji in ({"emoji": "😮"}, {"emoji": ""}, {})
    )
    assert isinstance(react, Reaction)
    assert (react.message_id, react.emoji, react.by_business) == ("wamid.T", "😮", False)
    assert isinstance(unreact, Reaction) and unreact.emoji is None
    assert isinstance(gone, Reaction) and gone.emoji is None
    edit = whatsapp.parse_webhook(
        real.wa_messages(
            real.wa_message(
                "edit",
                {
                    "original_message_id": "wamid.T",
                    "message": {"type": "image", "image": {"id": "9", "caption": "the red one"}},
                },
            )
        )
    )[0]
    assert isinstance(edit, MessageEdit)
    assert (edit.message_id, edit.content) == ("wamid.T", "the red one")
    revoke = whatsapp.parse_webhook(
        real.wa_messages(real.wa_message("revoke", {"original_message_id": "wamid.T"}))
    )[0]
    assert isinstance(revoke, MessageDeletion) and revoke.message_id == "wamid.T"


def test_whatsapp_replies_and_forwards_keep_their_context():
    reply = only_message(
        whatsapp.parse_webhook(
            real.wa_messages(
                real.wa_message(
                    "text",
                    {"body": "yes that one"},
                    context={"from": real.BUSINESS_PHONE, "id": "wamid.OURS"},
                )
            )
        )
    )
    assert (reply.reply_to, reply.forwarded) == ("wamid.OURS", False)
    for flag in ("forwarded", "frequently_forwarded"):
        forwarded = only_message(
            whatsapp.parse_webhook(
                real.wa_messages(real.wa_message("text", {"body": "look"}, context={flag: True}))
            )
        )
        assert (forwarded.reply_to, forwarded.forwarded) == (None, True)


def test_whatsapp_message_kinds_are_readable():
    cases = [
        (
            real.wa_message(
                "system",
                {
                    "body": "Rita changed from 351912000111 to 351912000222",
                    "type": "user_changed_number",
                },
            ),
            "Rita changed from 351912000111 to 351912000222",
            ContentType.TEXT,
        ),
        (
            real.wa_message(
                "interactive",
                {"type": "button_reply", "button_reply": {"id": "b", "title": "Track"}},
            ),
            "Track",
            ContentType.TEXT,
        ),
        (
            real.wa_message(
                "interactive", {"type": "list_reply", "list_reply": {"id": "l", "title": "Size M"}}
            ),
            "Size M",
            ContentType.TEXT,
        ),
        (
            real.wa_message("button", {"payload": "p", "text": "Stop promotions"}),
            "Stop promotions",
            ContentType.TEXT,
        ),
        (
            real.wa_message(
                "document",
                {
                    "id": "7",
                    "filename": "receipt.pdf",
                    "caption": "paid",
                    "mime_type": "application/pdf",
                },
            ),
            "receipt.pdf\npaid",
            ContentType.FILE,
        ),
        (
            real.wa_message(
                "contacts",
                [
                    {
                        "name": {"formatted_name": "Joana Dias"},
                        "phones": [{"phone": "+351 912 000 333"}],
                    }
                ],
            ),
            "Shared contact: Joana Dias (+351 912 000 333)",
            ContentType.TEXT,
        ),
        (
            real.wa_message("location", {"latitude": 41.15, "longitude": -8.61}),
            "41.15,-8.61",
            ContentType.LOCATION,
        ),
        (
            real.wa_message("sticker", {"id": "5", "mime_type": "image/webp", "animated": True}),
            None,
            ContentType.STICKER,
        ),
    ]
    for message, text, kind in cases:
        parsed = only_message(whatsapp.parse_webhook(real.wa_messages(message)))
        assert (parsed.content, parsed.content_type, parsed.placeholder) == (text, kind, False)


def test_whatsapp_messages_we_cannot_read_are_placeholders_with_the_platforms_reason():
    unsupported = real.wa_message(
        "unsupported",
        {"type": "poll"},
        errors=[
            {
                "code": 131051,
                "title": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."},
            }
        ],
    )
    parsed = only_message(whatsapp.parse_webhook(real.wa_messages(unsupported)))
    assert parsed.placeholder
    assert parsed.content == (
        "Unsupported WhatsApp message (poll · Message type unknown: "
        "Message type is currently not supported.)"
    )
    # an interactive message with no payload, the reason beside it in value.errors
    body = real.whatsapp(
        "messages",
        real.whatsapp_value(
            messages=[real.wa_message("interactive", None)],
            contacts=[real.person()],
            errors=[{"code": 131000, "title": "Something went wrong"}],
        ),
    )
    parsed = only_message(whatsapp.parse_webhook(body))
    assert parsed.placeholder and "Something went wrong" in (parsed.content or "")
    # a documented type with its payload missing: still a placeholder, not a refusal
    parsed = only_message(whatsapp.parse_webhook(real.wa_messages(real.wa_message("image", None))))
    assert parsed.placeholder and parsed.content.startswith("Unsupported WhatsApp message (image")


def test_whatsapp_a_bsuid_message_without_from_takes_its_id_from_contacts():
    message = real.wa_message("text", {"body": "hi"})
    del message["from"]
    parsed = only_message(
        whatsapp.parse_webhook(
            real.wa_messages(message, contacts=[real.person(wa_id=None, user_id="PT.2200451")])
        )
    )
    assert (parsed.conversation_id, parsed.contact_name) == ("PT.2200451", "Rita Lopes")
    keyed = only_message(
        whatsapp.parse_webhook(
            real.wa_messages(
                real.wa_message("text", {"body": "hi"}),
                contacts=[real.person(user_id="PT.2200451")],
            )
        )
    )
    # keyed on the business-scoped id, the phone number kept as another name for the person
    assert (keyed.conversation_id, keyed.contact_aliases, keyed.contact_username) == (
        "PT.2200451",
        ("351912000111",),
        "351912000111",
    )


def test_whatsapp_coexistence_echoes_are_outbound_and_sent_elsewhere():
    echo = {
        "from": real.BUSINESS_PHONE,
        "to": "351912000111",
        "to_user_id": "PT.2200451",
        "id": "wamid.PHONE1",
        "timestamp": "1765000100",
        "type": "text",
        "text": {"body": "Sent from the shop's phone"},
    }
    body = real.whatsapp(
        "smb_message_echoes",
        real.whatsapp_value(echoes=[echo], contacts=[real.person(user_id="PT.2200451")]),
    )
    parsed = only_message(whatsapp.parse_webhook(body))
    assert (parsed.direction, parsed.sent_elsewhere, parsed.conversation_id) == (
        MessageDirection.OUTBOUND,
        True,
        "PT.2200451",
    )
    edited = dict(
        echo,
        type="edit",
        edit={
            "original_message_id": "wamid.PHONE1",
            "message": {"type": "text", "text": {"body": "fixed"}},
        },
    )
    del edited["text"]
    body = real.whatsapp("smb_message_echoes", real.whatsapp_value(echoes=[edited]))
    [edit] = whatsapp.parse_webhook(body)
    assert isinstance(edit, MessageEdit) and edit.content == "fixed"


def test_whatsapp_statuses_as_sent_with_conversation_pricing_and_errors():
    base = {"id": "wamid.OURS", "timestamp": "1765000200", "recipient_id": "351912000111"}
    body = real.whatsapp(
        "messages",
        real.whatsapp_value(
            statuses=[
                {
                    **base,
                    "status": "delivered",
                    "conversation": {"id": "c1", "origin": {"type": "service"}},
                    "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
                },
                {**base, "status": "played"},
                {
                    **base,
                    "status": "failed",
                    "errors": [
                        {
                            "code": 131026,
                            "title": "Message undeliverable",
                            "error_data": {"details": "The number is not on WhatsApp"},
                        }
                    ],
                },
                {**base, "status": "warning"},
            ]
        ),
    )
    delivered, played, failed, warning = whatsapp.parse_webhook(body)
    assert isinstance(delivered, DeliveryUpdate) and delivered.status is MessageStatus.DELIVERED
    assert isinstance(played, DeliveryUpdate) and played.status is MessageStatus.READ
    assert isinstance(failed, DeliveryUpdate)
    assert failed.error == "Message undeliverable: The number is not on WhatsApp"
    assert isinstance(warning, SkippedEvent)


# --- Messenger ------------------------------------------------------------------


def test_messenger_events_without_timestamp_or_sender_do_not_sink_the_body():
    body = real.messenger(
        real.from_customer(delivery={"mids": ["m_ours1"], "watermark": 1765000050000}),
        real.from_customer(read={"watermark": 1765000060000}),
        {
            "recipient": {"id": real.PAGE_ID},
            "timestamp": 1765000000000,
            "account_linking": {"status": "unlinked"},
        },
        {
            "recipient": {"id": real.PAGE_ID},
            "timestamp": 1765000000000,
            "policy_enforcement": {"action": "block", "reason": "spam"},
        },
        real.from_customer(timestamp=1765000000000, pass_thread_control={"new_owner_app_id": "1"}),
        real.from_customer(
            timestamp=1765000070000, message={"mid": "m_in1", "text": "Still open?"}
        ),
    )
    events = messenger.parse_webhook(body)
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "DeliveryUpdate",
        "ReadUpTo",
        "ReadUpTo",
        "SkippedEvent",
        "SkippedEvent",
        "SkippedEvent",
        "PlatformMessage",
    ]
    delivery = events[0]
    assert isinstance(delivery, DeliveryUpdate)
    assert delivery.at == datetime.fromtimestamp(1765000050, UTC)
    read = events[2]
    assert isinstance(read, ReadUpTo) and read.status is MessageStatus.READ


def test_messenger_reactions_edits_deletes_and_replies():
    react, unreact, edit, delete, reply = messenger.parse_webhook(
        real.messenger(
            real.from_customer(
                timestamp=1765000001000,
                reaction={"reaction": "love", "emoji": "❤", "action": "react", "mid": "m_ours1"},
            ),
            real.from_customer(
                timestamp=1765000002000,
                reaction={"reaction": "love", "action": "unreact", "mid": "m_ours1"},
            ),
            real.from_customer(
                timestamp=1765000003000, message_edit={"mid": "m_in1", "text": "Still open today?"}
            ),
            real.from_customer(
                timestamp=1765000004000, message={"mid": "m_in2", "is_deleted": True}
            ),
            real.from_customer(
                timestamp=1765000005000,
                message={"mid": "m_in3", "text": "this", "reply_to": {"mid": "m_ours1"}},
            ),
        )
    )
    assert isinstance(react, Reaction) and (react.emoji, react.message_id) == ("❤", "m_ours1")
    assert isinstance(unreact, Reaction) and unreact.emoji is None
    assert isinstance(edit, MessageEdit) and edit.content == "Still open today?"
    assert isinstance(delete, MessageDeletion) and delete.message_id == "m_in2"
    assert isinstance(reply, PlatformMessage) and reply.reply_to == "m_ours1"


def test_messenger_attachments_all_kept_and_readable():
    attachments = [
        {"type": "image", "payload": {"url": "https://cdn.example/a.jpg"}},
        {
            "type": "image",
            "payload": {"url": "https://cdn.example/s.png", "sticker_id": 369239263222822},
        },
        {"type": "location", "payload": {"coordinates": {"lat": 50.85, "long": 4.35}}},
        {
            "type": "template",
            "payload": {
                "template_type": "generic",
                "elements": [
                    {"title": "Linen shirt", "default_action": {"url": "https://shop.example/p/1"}}
                ],
            },
        },
        {
            "type": "fallback",
            "title": "Our summer sale",
            "url": "https://shop.example/sale",
            "payload": None,
        },
        {
            "type": "product",
            "payload": {
                "product": {
                    "elements": [{"id": "1", "retailer_id": "SKU-1", "title": "Linen shirt"}]
                }
            },
        },
    ]
    rows = messenger.parse_webhook(
        real.messenger(
            real.from_customer(
                timestamp=1765000000000,
                message={"mid": "m_many", "text": "these", "attachments": attachments},
            )
        )
    )
    assert all(isinstance(r, PlatformMessage) for r in rows)
    assert [(r.message_id, r.content_type, r.content) for r in rows] == [  # type: ignore[union-attr]
        ("m_many", ContentType.IMAGE, "these"),
        ("m_many#2", ContentType.STICKER, None),
        ("m_many#3", ContentType.LOCATION, "50.85,4.35"),
        ("m_many#4", ContentType.TEXT, "Linen shirt\nhttps://shop.example/p/1"),
        ("m_many#5", ContentType.TEXT, "Our summer sale\nhttps://shop.example/sale"),
        ("m_many#6", ContentType.TEXT, "Linen shirt"),
    ]
    assert only_message(rows[2:3]).media_id == "geo:50.85,4.35"


def test_messenger_echoes_are_outbound_sent_elsewhere_to_the_customer():
    [echo] = messenger.parse_webhook(
        real.messenger(
            real.from_page(
                timestamp=1765000000000,
                message={
                    "mid": "m_suite",
                    "text": "From Business Suite",
                    "is_echo": True,
                    "app_id": 263902037430900,
                },
            )
        )
    )
    assert isinstance(echo, PlatformMessage)
    assert (echo.direction, echo.sent_elsewhere, echo.conversation_id) == (
        MessageDirection.OUTBOUND,
        True,
        "7300123",
    )


# --- TikTok ---------------------------------------------------------------------


def test_tiktok_as_really_sent_type_from_to_and_roles():
    message = only_message(
        tiktok.parse_webhook(
            real.tiktok(
                "im_receive_msg", real.tiktok_content("text", text={"body": "is it in stock?"})
            )
        )
    )
    assert (
        message.conversation_id,
        message.contact_id,
        message.contact_username,
        message.direction,
        message.content,
    ) == ("tt-conv-9", "tt-user-9", "mina.k", MessageDirection.INBOUND, "is it in stock?")
    echo = only_message(
        tiktok.parse_webhook(
            real.tiktok(
                "im_send_msg",
                real.tiktok_content("text", n=2, outbound=True, text={"body": "yes!"}),
            )
        )
    )
    assert (echo.direction, echo.contact_id, echo.contact_username, echo.sent_elsewhere) == (
        MessageDirection.OUTBOUND,
        "tt-user-9",
        "mina.k",
        True,
    )
    older = real.tiktok_content("text", n=3, text={"body": "old name"})
    older["message_type"] = older.pop("type")
    assert (
        only_message(tiktok.parse_webhook(real.tiktok("im_receive_msg", older))).content
        == "old name"
    )


def test_tiktok_reads_take_last_read_timestamp_and_the_business_reading_is_ignored():
    [read] = tiktok.parse_webhook(
        real.tiktok(
            "im_mark_read_msg",
            {
                "conversation_id": "tt-conv-9",
                "read": {"last_read_timestamp": 1765000500000},
                "from_user": {"id": "tt-user-9"},
            },
        )
    )
    assert isinstance(read, ReadUpTo)
    assert (read.contact_id, read.at) == ("tt-conv-9", datetime.fromtimestamp(1765000500, UTC))
    [own] = tiktok.parse_webhook(
        real.tiktok(
            "im_mark_read_msg",
            {
                "conversation_id": "tt-conv-9",
                "read": {"last_read_timestamp": 1765000500000},
                "from_user": {"id": real.TIKTOK_BUSINESS},
            },
        )
    )
    assert isinstance(own, SkippedEvent)


def test_tiktok_share_post_sticker_reply_and_unknown_types():
    post = only_message(
        tiktok.parse_webhook(
            real.tiktok(
                "im_receive_msg",
                real.tiktok_content(
                    "share_post", share_post={"embed_url": "https://www.tiktok.com/embed/77"}
                ),
            )
        )
    )
    assert post.content == "Shared a post\nhttps://www.tiktok.com/embed/77"
    sticker = only_message(
        tiktok.parse_webhook(real.tiktok("im_receive_msg", real.tiktok_content("sticker")))
    )
    assert (sticker.content_type, sticker.placeholder) == (ContentType.STICKER, False)
    reply = only_message(
        tiktok.parse_webhook(
            real.tiktok(
                "im_receive_msg",
                real.tiktok_content(
                    "text",
                    text={"body": "this one"},
                    referenced_message_info={"referenced_message_id": "tt-m0"},
                ),
            )
        )
    )
    assert reply.reply_to == "tt-m0"
    odd = only_message(
        tiktok.parse_webhook(real.tiktok("im_receive_msg", real.tiktok_content("voice_note")))
    )
    assert (odd.placeholder, odd.content) == (True, "Unsupported TikTok message (voice_note)")
    [ping] = tiktok.parse_webhook(
        {
            "event": "tiktok.ping",
            "user_openid": "x",
            "create_time": 1,
            "content": '{"reason":"test"}',
        }
    )
    assert ping == SkippedEvent(Platform.TIKTOK, "tiktok.ping")


# --- Messenger, polled (Graph Conversations API) --------------------------------


def test_a_polled_messenger_message_keeps_every_attachment_sticker_share_and_eu_notice():
    from snorq_desktop.platforms.messenger_api import _polled

    customer = {"name": "Léa Martin", "id": "7300123"}
    message = {
        "id": "m_poll1",
        "created_time": "2026-11-20T09:00:00+0000",
        "from": customer,
        "message": "two photos",
        "attachments": {
            "data": [
                {
                    "id": "a1",
                    "mime_type": "image/jpeg",
                    "name": "a.jpg",
                    "image_data": {"url": "https://cdn.example/a.jpg", "render_as_sticker": False},
                },
                {
                    "id": "a2",
                    "mime_type": "text/plain",
                    "name": "list.txt",
                    "file_url": "https://cdn.example/list.txt",
                },
                {"id": "a3", "name": "Media not available due to new privacy rules in Europe."},
            ]
        },
        "sticker": "https://cdn.example/sticker.png",
        "shares": {"data": [{"id": None, "link": "https://shop.example/p/2", "name": ""}]},
    }
    rows = _polled(message, real.PAGE_ID, "7300123", "message")
    assert [(r.message_id, r.content_type, r.content, r.media_id) for r in rows] == [
        ("m_poll1", ContentType.IMAGE, "two photos", "https://cdn.example/a.jpg"),
        ("m_poll1#2", ContentType.FILE, None, "https://cdn.example/list.txt"),
        (
            "m_poll1#3",
            ContentType.TEXT,
            "Media not available due to new privacy rules in Europe.",
            None,
        ),
        ("m_poll1#4", ContentType.STICKER, None, "https://cdn.example/sticker.png"),
        ("m_poll1#5", ContentType.TEXT, "https://shop.example/p/2", None),
    ]
    assert {r.contact_name for r in rows} == {"Léa Martin"}
