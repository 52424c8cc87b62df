"""Webhook bodies in the documented shapes become domain events; a body that is
not a webhook at all is a MalformedPayload, never a crash."""

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snorq_desktop.domain.enums import ContentType, MessageDirection, MessageStatus, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MalformedPayload,
    PlatformMessage,
    ReadUpTo,
    SkippedEvent,
)
from snorq_desktop.platforms import messenger, tiktok, whatsapp
from snorq_desktop.platforms.signatures import SignatureRejected, verify_meta, verify_tiktok
from tests import real_shapes as real
from tests import webhook_bodies as bodies


def test_a_whatsapp_text_message():
    [event] = whatsapp.parse_webhook(bodies.whatsapp_message())
    assert event == PlatformMessage(
        platform=Platform.WHATSAPP,
        account_id="106540352242922",
        conversation_id="447700900123",
        contact_id="447700900123",
        message_id="wamid.HBgM1",
        direction=MessageDirection.INBOUND,
        sent_at=datetime.fromtimestamp(1764000001, UTC),
        content="Hi! Is the blue dress available?",
        contact_name="Ana Souza",
    )


def test_a_whatsapp_contact_with_a_business_scoped_id_is_keyed_on_it():
    [event] = whatsapp.parse_webhook(bodies.whatsapp_message(user_id="IN.1410123"))
    assert isinstance(event, PlatformMessage)
    assert (event.conversation_id, event.contact_name, event.contact_username) == (
        "IN.1410123",
        "Ana Souza",
        "447700900123",
    )


@pytest.mark.parametrize(
    ("kind", "payload", "expected_type", "expected_text"),
    [
        (
            "image",
            {"id": "m1", "mime_type": "image/jpeg", "sha256": "x", "caption": "this one?"},
            ContentType.IMAGE,
            "this one?",
        ),
        (
            "document",
            {"id": "m2", "mime_type": "application/pdf", "filename": "invoice.pdf"},
            ContentType.FILE,
            "invoice.pdf",
        ),
        ("voice", {"id": "m3", "mime_type": "audio/ogg"}, ContentType.AUDIO, None),
        (
            "sticker",
            {"id": "m4", "mime_type": "image/webp", "animated": False},
            ContentType.STICKER,
            None,
        ),
        (
            "location",
            {"latitude": 38.71, "longitude": -9.14, "name": "Shop", "address": "Rua 1"},
            ContentType.LOCATION,
            "Shop, Rua 1",
        ),
        ("brand_new_type", {}, ContentType.TEXT, "Unsupported WhatsApp message (brand_new_type)"),
    ],
)
def test_every_whatsapp_message_type(kind, payload, expected_type, expected_text):
    body = bodies.whatsapp_message()
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message["type"] = kind
    message[kind] = payload
    [event] = whatsapp.parse_webhook(body)
    assert isinstance(event, PlatformMessage)
    assert (event.content_type, event.content) == (expected_type, expected_text)


def test_whatsapp_statuses_including_failed_with_its_reason():
    [sent] = whatsapp.parse_webhook(bodies.whatsapp_status("wamid.9", "delivered"))
    assert sent == DeliveryUpdate(
        platform=Platform.WHATSAPP,
        account_id="106540352242922",
        message_id="wamid.9",
        status=MessageStatus.DELIVERED,
        at=datetime.fromtimestamp(1764000100, UTC),
    )
    body = bodies.whatsapp_status("wamid.9", "failed")
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"] = [
        {"code": 131047, "title": "Re-engagement message", "message": "More than 24 hours"}
    ]
    [failed] = whatsapp.parse_webhook(body)
    assert isinstance(failed, DeliveryUpdate)
    assert (failed.status, failed.error) == (MessageStatus.FAILED, "Re-engagement message")


def test_messenger_message_echo_and_watermarks():
    [inbound] = messenger.parse_webhook(bodies.messenger_message())
    assert isinstance(inbound, PlatformMessage)
    assert (inbound.account_id, inbound.contact_id, inbound.direction) == (
        "1143561907842211",
        "6200123",
        MessageDirection.INBOUND,
    )
    [echo] = messenger.parse_webhook(bodies.messenger_message(2, echo=True, text="Oui !"))
    assert isinstance(echo, PlatformMessage)
    assert (echo.contact_id, echo.direction) == ("6200123", MessageDirection.OUTBOUND)
    body = bodies.messenger_message()
    event = body["entry"][0]["messaging"][0]
    del event["message"]
    event["read"] = {"watermark": 1764000005000}
    [read] = messenger.parse_webhook(body)
    assert isinstance(read, ReadUpTo)
    assert (read.status, read.contact_id) == (MessageStatus.READ, "6200123")


def test_tiktok_content_is_json_inside_json():
    [event] = tiktok.parse_webhook(bodies.tiktok_message())
    assert isinstance(event, PlatformMessage)
    assert (event.conversation_id, event.contact_id, event.content) == (
        "conv+1==",
        "user-42",
        "こんにちは！このネックレスはまだありますか？",
    )
    [echo] = tiktok.parse_webhook(bodies.tiktok_message(2, event="im_send_msg", text="はい！"))
    assert isinstance(echo, PlatformMessage)
    assert (echo.direction, echo.contact_id) == (MessageDirection.OUTBOUND, "user-42")


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        "text",
        {"object": "page"},
        {"object": "whatsapp_business_account", "entry": "x"},
    ],
)
def test_malformed_bodies_are_refused_with_a_typed_error(body):
    for parse in (whatsapp.parse_webhook, messenger.parse_webhook):
        with pytest.raises(MalformedPayload):
            parse(body)
    if not isinstance(body, dict):  # a TikTok object without an event is skipped (below)
        with pytest.raises(MalformedPayload):
            tiktok.parse_webhook(body)


@pytest.mark.parametrize(
    ("body", "kind", "why"),
    [
        # TikTok's own test event carries a sentence where the content goes.
        (
            {"event": "tiktok.ping", "create_time": 1, "content": "testing Webhook"},
            "tiktok.ping",
            "",
        ),
        ({"event": "authorization.removed", "user_openid": "b"}, "authorization.removed", ""),
        (
            {"event": "im_receive_msg", "user_openid": "b", "content": "{not json"},
            "im_receive_msg",
            "not valid JSON",
        ),
        (
            {"event": "im_receive_msg", "user_openid": "b", "content": "[1, 2]"},
            "im_receive_msg",
            "not a JSON object",
        ),
        ({"event": "im_receive_msg", "user_openid": "b"}, "im_receive_msg", "content"),
        ({"event": "im_mark_read_msg", "content": "{}"}, "im_mark_read_msg", "user_openid"),
        ({"create_time": 1, "content": "{}"}, "event without a name", "event"),
    ],
)
def test_a_tiktok_body_that_is_json_is_never_refused(body, kind, why):
    """TikTok sends one event per body: a body that is JSON but not an event we
    can read is skipped with its reason (logged), never a 400 TikTok retries."""
    [event] = tiktok.parse_webhook(body)
    assert isinstance(event, SkippedEvent)
    assert event.kind == kind
    assert why in event.note


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _mutations():
    """Documented bodies with one value replaced by something random."""
    documented = [
        bodies.whatsapp_message(),
        bodies.whatsapp_status("w", "read"),
        bodies.messenger_message(),
        bodies.tiktok_message(),
        # and the shapes the platforms really send (tests/real_shapes.py)
        real.wa_messages(
            real.wa_message("reaction", {"message_id": "wamid.T", "emoji": "👍"}),
            real.wa_message("text", {"body": "hi"}, n=2, context={"id": "wamid.T"}),
            real.wa_message("revoke", {"original_message_id": "wamid.T"}, n=3),
            contacts=[real.person(user_id="PT.1")],
        ),
        real.messenger(
            real.from_customer(delivery={"mids": ["m_1"], "watermark": 1765000050000}),
            real.from_customer(
                timestamp=1765000000000,
                message={
                    "mid": "m_2",
                    "attachments": [
                        {"type": "template", "payload": {"elements": [{"title": "t"}]}}
                    ],
                },
            ),
            real.from_customer(
                timestamp=1765000000000,
                reaction={"mid": "m_1", "action": "react", "emoji": "❤"},
            ),
        ),
        {
            **real.tiktok("im_mark_read_msg", {}),
            "content": {"conversation_id": "c", "read": {"last_read_timestamp": 1}},
        },
    ]

    def paths(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for key, value in node.items():
                yield from paths(value, (*prefix, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from paths(value, (*prefix, index))

    return st.sampled_from([(b, p) for b in documented for p in paths(b) if p])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(target=_mutations(), replacement=json_values)
def test_any_damaged_body_gives_events_or_a_malformed_payload(target, replacement):
    body, path = target
    damaged = json.loads(json.dumps(body))
    node = damaged
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = replacement
    for parse in (whatsapp.parse_webhook, messenger.parse_webhook, tiktok.parse_webhook):
        with contextlib.suppress(MalformedPayload):
            parse(damaged)


@settings(max_examples=300)
@given(json_values)
def test_any_json_at_all_gives_events_or_a_malformed_payload(body):
    for parse in (whatsapp.parse_webhook, messenger.parse_webhook, tiktok.parse_webhook):
        with contextlib.suppress(MalformedPayload):
            parse(body)


def test_meta_signatures_over_the_raw_bytes():
    raw = json.dumps(bodies.messenger_message()).encode()
    import hashlib
    import hmac

    good = "sha256=" + hmac.new(b"app-secret", raw, hashlib.sha256).hexdigest()
    verify_meta(raw, good, "app-secret")
    for header in (None, "", "sha1=abc", good.replace("a", "b", 1)):
        with pytest.raises(SignatureRejected):
            verify_meta(raw, header, "app-secret")
    with pytest.raises(SignatureRejected):
        verify_meta(raw + b" ", good, "app-secret")


def test_tiktok_signatures_refuse_stale_and_forged():
    import hashlib
    import hmac

    raw = b'{"event":"im_receive_msg"}'
    signature = hmac.new(b"tt-secret", b"1764000000." + raw, hashlib.sha256).hexdigest()
    header = f"t=1764000000,s={signature}"
    verify_tiktok(raw, header, "tt-secret", now=1764000100)
    with pytest.raises(SignatureRejected, match="stale"):
        verify_tiktok(raw, header, "tt-secret", now=1764000000 + 3600)
    with pytest.raises(SignatureRejected):
        verify_tiktok(raw, header, "other-secret", now=1764000100)
    with pytest.raises(SignatureRejected):
        verify_tiktok(raw, "garbage", "tt-secret", now=1764000100)
