"""The fake platforms send what the real ones send, and the app stores it as people
see it: Messenger ticks by watermark (no timestamp), mark_seen an action and not
a message, TikTok echoes and reads, WhatsApp failures with their reason,
reactions, replies, edits, deletes and messages sent from the business's phone."""

import asyncio
import itertools
import random
import time

import httpx

from snorq_desktop.demo.world import QUIET_CUSTOMER, DemoWorld
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.platform_events import ReadReceipt
from snorq_desktop.platforms.client import PlatformClient
from snorq_desktop.platforms.messenger_api import MessengerClient
from snorq_desktop.sync.engine import SyncEngine
from tests.world import BUSINESS, PAGE, PHONE, wait_for


def events(world) -> int:
    return world.sql("SELECT count(*) FROM webhook_events")[0][0]


def settle(world, at_least: int) -> None:
    """Wait for the fakes' scheduled webhooks, then store them."""
    wait_for(lambda: events(world) >= at_least)
    world.run_pass()


def test_a_messenger_reply_reaches_delivered_and_read_by_watermark(world):
    world.meta.customer_writes(PAGE, "6200123", "Vous livrez ?", name="Chloé", whatsapp=False)
    world.run_pass()
    reply = world.reply("6200123", "Oui !")
    world.run_pass()
    assert world.status_of(reply)[0] == "SENT"
    settle(world, 3)  # the customer's message, then a delivery and a read, neither timed
    assert world.status_of(reply)[0] == "READ"


def test_mark_seen_is_an_action_never_a_message(world):
    world.meta.customer_writes(PAGE, "6200123", "Bonjour", name="Chloé", whatsapp=False)
    world.run_pass()
    [(connection,)] = world.sql("SELECT id FROM platform_connections WHERE platform = 'FACEBOOK'")
    [(newest,)] = world.sql("SELECT external_id FROM messages")

    async def send_receipt():
        async with httpx.AsyncClient(timeout=5) as http:
            clients: dict[Platform, PlatformClient] = {
                Platform.FACEBOOK: MessengerClient(http, world.meta.url)
            }
            engine = SyncEngine(world.engine, world.sessions, world.cipher, clients)
            await engine.send_read_receipt(ReadReceipt(connection, "6200123", "6200123", newest))

    asyncio.run(send_receipt())
    assert world.meta.sender_actions == [("6200123", "mark_seen")]
    world.meta.webhook_url = None
    world.run_pass()  # a poll of the thread shows no empty message of ours
    assert world.sql("SELECT direction::text, content FROM messages") == [("INBOUND", "Bonjour")]


def test_tiktok_echo_of_our_reply_is_stored_once_and_the_customers_read_ticks_it(world):
    world.tiktok.customer_writes(
        BUSINESS, "user-42", "まだありますか？", name="Kenji", username="kenji_w"
    )
    world.run_pass()
    assert world.sql("SELECT contact_username FROM conversations") == [("kenji_w",)]
    [(conversation,)] = world.sql("SELECT external_id FROM conversations")
    reply = world.reply(conversation, "はい！")
    world.run_pass()
    settle(world, 3)  # the echo (im_send_msg) and the read (im_mark_read_msg)
    assert world.status_of(reply)[0] == "READ"
    assert world.sql(
        "SELECT count(*), bool_or(sent_elsewhere) FROM messages WHERE direction = 'OUTBOUND'"
    ) == [(1, False)]


def test_whatsapp_failure_reason_reactions_edits_deletes_replies_and_phone_echoes(world):
    meta = world.meta
    first = meta.customer_writes(PHONE, "447700900123", "Is the blue dress available?", name="Ana")
    world.run_pass()
    meta.status_script = ["sent", "failed"]
    reply = world.reply("447700900123", "Yes!")
    world.run_pass()
    settle(world, 3)
    status, ours, reason = world.status_of(reply)
    assert (status, reason) == (
        "FAILED",
        "Message undeliverable: Message could not be delivered to the recipient's phone.",
    )
    before = world.sql("SELECT unread_count, last_message_at FROM conversations")
    # WhatsApp's timestamps are whole seconds: what the customer does next is
    # stamped after our reply only once the second of the reply has passed.
    time.sleep(1.05 - before[0][1].timestamp() % 1)
    meta.customer_reacts(PHONE, "447700900123", ours, "👍", whatsapp=True)
    meta.customer_edits(
        PHONE, "447700900123", first, "Is the blue dress available in M?", whatsapp=True
    )
    answer = meta.customer_replies(
        PHONE, "447700900123", "this one", first, name="Ana", whatsapp=True
    )
    meta.customer_deletes(PHONE, "447700900123", answer, whatsapp=True)
    meta.business_sends_elsewhere(
        PHONE, "447700900123", "Sent from the shop's phone", whatsapp=True
    )
    settle(world, 8)
    rows = world.sql(
        "SELECT external_id, direction::text, content, reactions, edited_at IS NOT NULL, "
        "deleted_at IS NOT NULL, reply_to_external_id, sent_elsewhere FROM messages "
        "ORDER BY platform_timestamp, created_at"
    )
    by_id = {row[0]: row[1:] for row in rows}
    assert by_id[first][1:4] == ("Is the blue dress available in M?", None, True)
    assert by_id[ours][2] == {"customer": "👍"}
    assert by_id[answer][1:6] == (None, None, False, True, first)
    [elsewhere] = [row for row in rows if row[7]]
    assert elsewhere[1:3] == ("OUTBOUND", "Sent from the shop's phone")
    assert len(rows) == 4, "reactions, edits and deletes are not messages"
    unread, last_at = world.sql("SELECT unread_count, last_message_at FROM conversations")[0]
    assert unread == before[0][0] + 1  # the reply only; the reaction counts nothing
    assert last_at > before[0][1]


def test_demo_customers_do_not_repeat_themselves_and_the_quiet_one_stays_quiet(world):
    world.sql(
        "INSERT INTO conversations (id, organization_id, platform_connection_id, platform, "
        "external_id, contact_external_id, contact_name, contact_username) "
        "SELECT 'quiet', :org, id, 'WHATSAPP', '447700900999', '447700900999', 'Ravi', :quiet "
        "FROM platform_connections WHERE platform = 'WHATSAPP'",
        org=world.org,
        quiet=QUIET_CUSTOMER,
    )
    world.sql(
        "INSERT INTO conversations (id, organization_id, platform_connection_id, platform, "
        "external_id, contact_external_id, contact_name, contact_username) "
        "SELECT 'talky', :org, id, 'WHATSAPP', '447700900123', '447700900123', 'Ana', 'ana.souza' "
        "FROM platform_connections WHERE platform = 'WHATSAPP'",
        org=world.org,
    )
    world.meta.webhook_url = None
    demo = DemoWorld(world.meta, world.tiktok, None, world.sessions, random.Random(7))  # type: ignore[arg-type]
    for _ in range(40):
        demo.customer_writes()
    said = [m.text for t in world.meta.threads.values() for m in t.messages]
    people = {t.person for t in world.meta.threads.values() if t.messages}
    assert people == {"447700900123"}
    texts = [s for s in said if s]
    assert len(texts) >= 20
    assert all(a != b for a, b in itertools.pairwise(texts)), "never twice in a row"
    assert len(set(texts)) > 3
