"""Replying to one message and reacting to a customer's (issue 11.6): through the
journal and the outbox, in the exact shapes WhatsApp's Cloud API and
Messenger's Send API take, recorded by the fake platforms (real HTTP)."""

import json

import httpx
import pytest

from snorq_desktop.demo.fakes.server import Fault
from snorq_desktop.domain.errors import NotFound, PermissionDenied
from snorq_desktop.domain.ids import new_id
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import JournalledReply, ReplyJournal
from tests.world import BUSINESS, PAGE, PHONE, World

WA_ID, PSID = "447700900123", "7044185342261458"


@pytest.fixture
def service(world: World, tmp_path) -> InboxService:
    return InboxService(world.sessions, ReplyJournal(tmp_path / "journal.json"))


def _inbound(world: World, platform: str) -> tuple[str, str, str]:
    """(conversation id, message id, platform message id) of the customer's message."""
    [row] = world.sql(
        "SELECT c.id, m.id, m.external_id FROM messages m JOIN conversations c"
        " ON c.id = m.conversation_id WHERE m.direction = 'INBOUND' AND c.platform = :p",
        p=platform,
    )
    return str(row[0]), str(row[1]), str(row[2])


def _whatsapp_customer(world: World, text: str = "Is the blue dress available?") -> str:
    wamid = world.meta.customer_writes(PHONE, WA_ID, text, name="Ana")
    world.run_pass()
    return wamid


def _messenger_customer(world: World) -> str:
    mid = world.meta.customer_writes(PAGE, PSID, "Do you ship to Lyon?", name="Léa", whatsapp=False)
    world.run_pass()
    return mid


def _row_of(world: World, conversation_id: str) -> tuple[object, ...]:
    return world.sql(
        "SELECT last_message_at, unread_count, last_message_preview FROM conversations"
        " WHERE id = :c",
        c=conversation_id,
    )[0]


def test_a_whatsapp_reply_to_a_message_carries_its_context(world, service):
    wamid = _whatsapp_customer(world)
    conversation, message, _ = _inbound(world, "WHATSAPP")
    reply = new_id()
    service.send_reply(conversation, reply, "Yes, in size M", reply_to=message)
    assert world.run_pass().sent == 1
    [sent] = world.meta.sent
    assert sent["body"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "Yes, in size M", "preview_url": False},
        "context": {"message_id": wamid},
    }
    assert world.sql("SELECT reply_to_external_id FROM messages WHERE id = :i", i=reply) == [
        (wamid,)
    ]
    # The thread quotes the customer's message above our own reply too.
    [ours] = [m for m in service.thread(conversation, None) if m.id == reply]
    assert ours.quoted == "Is the blue dress available?"


def test_a_messenger_reply_to_a_message_carries_reply_to(world, service):
    mid = _messenger_customer(world)
    conversation, message, _ = _inbound(world, "FACEBOOK")
    service.send_reply(conversation, new_id(), "Yes, from Paris in 2 days", reply_to=message)
    assert world.run_pass().sent == 1
    [sent] = world.meta.sent
    assert sent["body"] == {
        "recipient": {"id": PSID},
        "message": {"text": "Yes, from Paris in 2 days"},
        "messaging_type": "RESPONSE",
        "reply_to": {"mid": mid},
    }


def test_a_file_sent_as_a_reply_carries_the_quote_on_both_platforms(world, service, tmp_path):
    wamid = _whatsapp_customer(world)
    mid = _messenger_customer(world)
    photo = tmp_path / "shoe.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    for platform in ("WHATSAPP", "FACEBOOK"):
        conversation, message, _ = _inbound(world, platform)
        service.send_file(conversation, new_id(), photo, reply_to=message)
    assert world.run_pass().sent == 2
    whatsapp, messenger = sorted(world.meta.sent, key=lambda s: "recipient" in s["body"])
    assert whatsapp["body"]["context"] == {"message_id": wamid}
    assert whatsapp["body"]["type"] == "image"
    # Messenger's upload is a multipart form: reply_to is a JSON field of it.
    assert json.loads(messenger["body"]["reply_to"]) == {"mid": mid}


def test_a_reply_never_quotes_another_conversations_message(world, service):
    _whatsapp_customer(world)
    _messenger_customer(world)
    whatsapp, _, _ = _inbound(world, "WHATSAPP")
    _, messenger_message, _ = _inbound(world, "FACEBOOK")
    with pytest.raises(NotFound, match="not in this conversation"):
        service.send_reply(whatsapp, new_id(), "Wrong thread", reply_to=messenger_message)
    assert world.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]
    assert service.journalled(whatsapp) == []  # refused for good: not retried either
    world.run_pass()
    assert world.meta.sent == []


def test_tiktok_refuses_a_quoted_reply_before_anything_is_stored(world, service):
    world.tiktok.customer_writes(BUSINESS, "user-1", "Hello?")
    world.run_pass()
    conversation, message, _ = _inbound(world, "TIKTOK")
    with pytest.raises(PermissionDenied, match="TikTok cannot send a reply"):
        service.send_reply(conversation, new_id(), "Hi!", reply_to=message)
    assert world.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]


def test_a_whatsapp_reaction_shows_at_once_and_goes_as_type_reaction(world, service):
    wamid = _whatsapp_customer(world)
    conversation, message, _ = _inbound(world, "WHATSAPP")
    service.open_conversation(conversation)
    before = _row_of(world, conversation)
    changes = service.react(conversation, message, "👍")
    assert changes.conversations == frozenset()  # the inbox row is not touched
    [shown] = service.messages([message])
    assert (shown.reactions, shown.my_reaction) == (("👍",), "👍")  # before any send
    assert world.run_pass().sent == 1
    [sent] = world.meta.reactions
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "reaction",
        "reaction": {"message_id": wamid, "emoji": "👍"},
    }
    assert world.meta.sent == []  # a reaction is no message
    assert world.sql(
        "SELECT reactions, reaction_unsent FROM messages WHERE id = :i", i=message
    ) == [({"business": "👍"}, None)]
    service.react(conversation, message, "")
    world.run_pass()
    assert world.meta.reactions[-1].body["reaction"] == {"message_id": wamid, "emoji": ""}
    assert world.sql("SELECT reactions FROM messages WHERE id = :i", i=message) == [(None,)]
    assert _row_of(world, conversation) == before  # neither order, unread nor preview moved


def test_a_refused_reaction_leaves_the_message_as_the_platform_shows_it(world, service):
    _whatsapp_customer(world)
    conversation, message, _ = _inbound(world, "WHATSAPP")
    service.react(conversation, message, "👍")
    world.run_pass()
    service.react(conversation, message, "😂")
    world.meta.inject(Fault("error", code=131009, status=400, path_contains="/messages"))
    report = world.run_pass()
    assert report.failed == 1 and any("reaction could not be sent" in e for e in report.errors)
    # Ours is still 👍 on WhatsApp: the bubble goes back to it, nothing left queued.
    assert world.sql(
        "SELECT reactions, reaction_unsent FROM messages WHERE id = :i", i=message
    ) == [({"business": "👍"}, None)]
    [shown] = service.messages([message])
    assert shown.my_reaction == "👍"


def test_a_messenger_reaction_is_the_react_and_unreact_sender_actions(world, service):
    mid = _messenger_customer(world)
    conversation, message, _ = _inbound(world, "FACEBOOK")
    service.react(conversation, message, "❤️")
    world.run_pass()
    service.react(conversation, message, "")
    world.run_pass()
    assert [r.body for r in world.meta.reactions] == [
        {
            "recipient": {"id": PSID},
            "sender_action": "react",
            "payload": {"message_id": mid, "reaction": "❤️"},
        },
        {"recipient": {"id": PSID}, "sender_action": "unreact", "payload": {"message_id": mid}},
    ]
    assert world.meta.sent == []


def test_a_journalled_reaction_is_stored_and_sent_after_a_crash(world, tmp_path):
    wamid = _whatsapp_customer(world)
    conversation, message, _ = _inbound(world, "WHATSAPP")
    journal = ReplyJournal(tmp_path / "journal.json")
    # Written to disk, then the app died before the database had it.
    journal.add(
        JournalledReply(
            message_id=new_id(),
            conversation_id=conversation,
            organization_id=world.org,
            sender_id=world.owner,
            text="🙏",
            written_at=world.sql("SELECT now()")[0][0],
            reaction_to=message,
        )
    )
    again = InboxService(world.sessions, ReplyJournal(tmp_path / "journal.json"))
    assert again.journalled(conversation) == []  # not a bubble waiting
    again.store_journalled_replies()
    assert journal.replies() == []
    world.run_pass()
    assert [r.body["reaction"] for r in world.meta.reactions] == [
        {"message_id": wamid, "emoji": "🙏"}
    ]


def test_a_reaction_on_our_own_message_is_refused(world, service):
    _whatsapp_customer(world)
    conversation, _, _ = _inbound(world, "WHATSAPP")
    ours = world.reply(WA_ID, "Hello Ana")
    world.run_pass()
    with pytest.raises(PermissionDenied, match="customer's message"):
        service.react(conversation, ours, "👍")
    assert world.sql("SELECT count(*) FROM messages WHERE reaction_unsent IS NOT NULL") == [(0,)]


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ({"type": "text", "text": {"body": "x"}, "context": {"id": "WAMID"}}, "context"),
        ({"type": "text", "text": {"body": "x"}, "context": {"message_id": "OTHER"}}, "context"),
        ({"type": "reaction", "reaction": {"message_id": "OTHER", "emoji": "👍"}}, "reaction"),
        ({"type": "reaction", "reaction": {"emoji": "👍"}}, "reaction"),
        ({"type": "reaction", "reaction": {"message_id": "WAMID", "emoji": "ok"}}, "emoji"),
    ],
)
def test_the_fake_whatsapp_refuses_malformed_context_and_reactions(world, body, refusal):
    wamid = _whatsapp_customer(world)
    # A message of another customer's chat is no message of this one.
    other = world.meta.customer_writes(PHONE, "447700900999", "Me too", name="Bo")
    sent = json.loads(json.dumps(body).replace("WAMID", wamid).replace("OTHER", other))
    answer = httpx.post(
        f"{world.meta.url}/v21.0/{PHONE}/messages",
        json={"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID, **sent},
        headers={"Authorization": "Bearer wa-token"},
    )
    assert answer.status_code == 400
    assert refusal in answer.json()["error"]["message"]
    assert world.meta.sent == [] and world.meta.reactions == []


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ({"message": {"text": "x"}, "reply_to": "MID"}, "reply_to"),
        ({"message": {"text": "x"}, "reply_to": {"mid": "OTHER"}}, "reply_to"),
        (
            {"sender_action": "react", "payload": {"message_id": "OTHER", "reaction": "👍"}},
            "message_id",
        ),
        ({"sender_action": "react", "payload": {"message_id": "MID"}}, "reaction"),
        ({"sender_action": "react", "payload": {"mid": "MID", "reaction": "👍"}}, "message_id"),
        ({"sender_action": "unreact", "payload": {"message_id": "MID", "reaction": "👍"}}, "only"),
    ],
)
def test_the_fake_messenger_refuses_malformed_reply_to_and_reactions(world, body, refusal):
    mid = _messenger_customer(world)
    other = world.meta.customer_writes(PAGE, "7044185342260000", "Me too", whatsapp=False)
    sent = json.loads(json.dumps(body).replace("MID", mid).replace("OTHER", other))
    answer = httpx.post(
        f"{world.meta.url}/v21.0/{PAGE}/messages",
        json={"recipient": {"id": PSID}, "messaging_type": "RESPONSE", **sent},
        headers={"Authorization": "Bearer page-token"},
    )
    assert answer.status_code == 400
    assert refusal in answer.json()["error"]["message"]
    assert world.meta.sent == [] and world.meta.reactions == []


def test_the_fake_takes_a_quote_of_a_message_it_never_saw(world):
    """The demo's seeded history is not in the fake's threads: quoting it works."""
    _whatsapp_customer(world)
    answer = httpx.post(
        f"{world.meta.url}/v21.0/{PHONE}/messages",
        json={
            "messaging_product": "whatsapp",
            "to": WA_ID,
            "type": "text",
            "text": {"body": "About your order"},
            "context": {"message_id": "wamid.seeded-history-1"},
        },
        headers={"Authorization": "Bearer wa-token"},
    )
    assert answer.status_code == 200
    assert world.meta.sent[-1]["body"]["context"] == {"message_id": "wamid.seeded-history-1"}
