"""The sync engine against the fake platforms (real HTTP on 127.0.0.1) and the
real test database: round trips on each platform, the outbox's rules, faults."""

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx

from snorq_desktop.demo.fakes.server import Fault
from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.client import PlatformClient
from snorq_desktop.platforms.tiktok_api import TikTokClient
from snorq_desktop.platforms.whatsapp_api import WhatsAppClient
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store.connections import token_place
from snorq_desktop.sync.engine import SyncEngine
from tests.world import BUSINESS, PAGE, PHONE, wait_for


def test_whatsapp_round_trip_inbound_reply_and_ticks(world):
    world.meta.customer_writes(PHONE, "447700900123", "Is the blue dress available?", name="Ana")
    report = world.run_pass()
    assert report.stored == 1
    assert world.sql("SELECT contact_name, unread_count FROM conversations") == [("Ana", 1)]
    world.meta.duplicate_statuses = world.meta.reverse_statuses = True
    message_id = world.reply("447700900123", "Yes! Size M?")
    report = world.run_pass()
    assert report.sent == 1
    [sent] = world.meta.sent
    assert (sent["to"], sent["text"]) == ("447700900123", "Yes! Size M?")
    status, external_id, _ = world.status_of(message_id)
    assert (status, external_id) == ("SENT", sent["id"])
    # six deliveries (three statuses, each twice, newest first); a repeated body is kept once
    wait_for(lambda: world.sql("SELECT count(*) FROM webhook_events")[0][0] >= 4)
    time.sleep(0.3)
    world.run_pass()
    assert world.status_of(message_id)[0] == "READ"
    world.run_pass()
    assert len(world.meta.sent) == 1, "nothing is ever sent twice"


def test_whatsapp_refuses_free_text_outside_the_24_hour_window_before_sending(world):
    world.meta.customer_writes(PHONE, "447700900123", "hello")
    world.run_pass()
    message_id = world.reply("447700900123", "Sorry for the wait")
    later = lambda: datetime.now(UTC) + timedelta(hours=25)  # noqa: E731
    world.run_pass(clock=later)
    status, _, reason = world.status_of(message_id)
    assert status == "FAILED"
    assert "24 hours" in reason
    assert world.meta.sent == []


def test_messenger_by_polling_with_the_human_agent_tag_after_a_day(world):
    world.meta.customer_writes(
        PAGE, "6200123", "Vous livrez en Belgique ?", name="Chloé", whatsapp=False
    )
    world.meta.webhook_url = None  # polling only
    report = world.run_pass()
    assert report.stored >= 1
    assert world.sql("SELECT external_id, contact_name FROM conversations") == [
        ("6200123", "Chloé")
    ]
    first = world.reply("6200123", "Oui !")
    world.run_pass()
    second = world.reply("6200123", "Toujours là ?")
    world.run_pass(clock=lambda: datetime.now(UTC) + timedelta(days=2))
    third = world.reply("6200123", "Encore ?")
    world.run_pass(clock=lambda: datetime.now(UTC) + timedelta(days=8))
    bodies = [s["body"] for s in world.meta.sent]
    assert bodies[0]["messaging_type"] == "RESPONSE"
    assert (bodies[1]["messaging_type"], bodies[1]["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert [world.status_of(m)[0] for m in (first, second, third)] == ["SENT", "SENT", "FAILED"]


def test_tiktok_round_trip_by_polling(world):
    world.tiktok.webhook_url = None
    world.tiktok.customer_writes(
        BUSINESS, "user-42", "このネックレスはまだありますか？", name="Kenji"
    )
    world.run_pass()
    [(external, name)] = world.sql("SELECT external_id, contact_name FROM conversations")
    assert ("+" in external, name) == (True, "Kenji")
    message_id = world.reply(external, "はい、あります！")
    world.run_pass()
    assert world.status_of(message_id)[0] == "SENT"
    assert world.tiktok.sent[0]["conversation"] == external


def test_an_expired_token_marks_the_connection_and_keeps_the_reply(world):
    world.meta.customer_writes(PHONE, "447700900123", "hi")
    world.run_pass()
    message_id = world.reply("447700900123", "hello")
    world.meta.inject(Fault("error", code=190, subcode=463, status=401, path_contains="/messages"))
    report = world.run_pass()
    assert report.errors
    status, error = world.sql(
        "SELECT status::text, error_message FROM platform_connections WHERE platform = 'WHATSAPP'"
    )[0]
    assert status == "EXPIRED"
    assert "no longer valid" in error
    assert world.status_of(message_id)[0] == "PENDING"


def test_rate_limits_and_server_errors_put_the_reply_back_in_line(world):
    world.meta.customer_writes(PHONE, "447700900123", "hi")
    world.run_pass()
    message_id = world.reply("447700900123", "hello")
    world.meta.inject(Fault("error", code=130429, retry_after=1, path_contains="/messages"))
    world.run_pass()
    assert world.status_of(message_id)[0] == "PENDING"
    world.meta.inject(Fault("http", status=500, path_contains="/messages"))
    world.run_pass()
    assert world.status_of(message_id)[0] == "PENDING"
    world.run_pass()
    assert world.status_of(message_id)[0] == "SENT"
    assert len(world.meta.sent) == 1


def test_a_reply_cut_off_by_a_crash_is_never_resent_silently(world):
    world.meta.customer_writes(PHONE, "447700900123", "hi")
    world.run_pass()
    message_id = world.reply("447700900123", "hello")
    world.sql(
        "UPDATE messages SET send_started_at = now() - interval '10 minutes' WHERE id = :i",
        i=message_id,
    )
    world.run_pass()
    status, _, reason = world.status_of(message_id)
    assert status == "FAILED"
    assert "may or may not have reached" in reason
    assert world.meta.sent == []


def test_two_apps_at_once_never_send_one_reply_twice(world):
    world.meta.customer_writes(PHONE, "447700900123", "hi")
    world.tiktok.customer_writes(BUSINESS, "user-42", "hi")
    world.run_pass()
    tiktok_conversation = world.sql(
        "SELECT external_id FROM conversations WHERE platform = 'TIKTOK'"
    )[0][0]
    ids = [world.reply("447700900123", f"reply {n}") for n in range(10)]
    ids += [world.reply(tiktok_conversation, f"tiktok reply {n}") for n in range(10)]
    first, second = world.run_pass(engines=2)
    assert first.sent + second.sent == 20
    assert first.skipped_locked + second.skipped_locked >= 1
    texts = [s["text"] for s in world.meta.sent] + [s["text"] for s in world.tiktok.sent]
    assert sorted(texts) == sorted(
        [f"reply {n}" for n in range(10)] + [f"tiktok reply {n}" for n in range(10)]
    )
    assert [s["text"] for s in world.meta.sent] == [f"reply {n}" for n in range(10)], "in order"
    assert {world.status_of(i)[0] for i in ids} == {"SENT"}


def test_the_open_window_receives_replies_sends_and_shows_the_ticks(
    world, qtbot, tmp_path, monkeypatch, qt_loop
):
    """The whole live path: a customer writes on WhatsApp, the relay stores it, the
    window shows it; the owner answers, the engine sends it at once, and the
    platform's status events turn it to read."""
    from PySide6.QtCore import Qt

    from snorq_desktop.boot.app import Database
    from snorq_desktop.boot.paths import AppPaths
    from snorq_desktop.boot.window import build_window
    from snorq_desktop.domain.enums import MessageStatus
    from snorq_desktop.ui.inbox_model import SummaryRole
    from snorq_desktop.ui.thread_model import MessageRole

    monkeypatch.setenv("SNORQ_GRAPH_URL", world.meta.url)
    monkeypatch.setenv("SNORQ_TIKTOK_URL", world.tiktok.url + "/open_api/v1.3")
    paths = AppPaths.resolve(tmp_path / "app")
    paths.create()
    running = build_window(
        Database(world.engine, world.sessions, "test", embedded=False),
        paths,
        demo=False,
        sealer=world.cipher,
        sync_interval=30,
        loop=qt_loop,
    )
    qtbot.addWidget(running.window)
    running.window.show()
    try:
        qtbot.wait(300)
        world.meta.customer_writes(PHONE, "447700900123", "Do you ship to Porto?", name="Ana")
        inbox = running.window.inbox
        qtbot.waitUntil(lambda: inbox.rowCount() == 1, timeout=5000)
        assert inbox.index(0).data(SummaryRole).contact_name == "Ana"
        running.window.inbox_view.setCurrentIndex(inbox.index(0))
        thread = running.window.thread_pane.model
        qtbot.waitUntil(lambda: thread.rowCount() == 1, timeout=5000)
        # opening it told WhatsApp the message was read (blue ticks for Ana)
        qtbot.waitUntil(
            lambda: any(
                isinstance(r.body, dict) and r.body.get("status") == "read"
                for r in world.meta.requests
            ),
            timeout=5000,
        )
        composer = running.window.thread_pane.composer
        qtbot.keyClicks(composer.editor, "Yes, 2-3 days")
        qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: len(world.meta.sent) == 1, timeout=5000)
        qtbot.waitUntil(
            lambda: (
                thread.index(thread.rowCount() - 1).data(MessageRole).status is MessageStatus.READ
            ),
            timeout=8000,
        )
        assert world.meta.sent[0]["text"] == "Yes, 2-3 days"
    finally:
        running.close()


def test_tiktok_refresh_tokens_are_used_once_however_many_apps_refresh(world):
    from snorq_desktop.platforms.client import Account
    from snorq_desktop.store.sync_records import ConnectionRow

    tiktok = world.connections[Platform.TIKTOK]
    world.sql(
        "UPDATE platform_connections SET refresh_token = :r, token_expires_at = now() - "
        "interval '1 hour' WHERE platform = 'TIKTOK'",
        r=world.cipher.seal(SecretToken("tt-refresh"), token_place(tiktok, "refresh_token")),
    )
    row = ConnectionRow(
        world.connections[Platform.TIKTOK], world.org, Platform.TIKTOK, BUSINESS, None
    )
    barrier = threading.Barrier(4)
    results: list[str] = []

    def one_app() -> None:
        async def go() -> None:
            async with httpx.AsyncClient(timeout=5) as http:
                client = TikTokClient(http, world.tiktok.url + "/open_api/v1.3")
                engine = SyncEngine(
                    world.engine, world.sessions, world.cipher, {Platform.TIKTOK: client}
                )
                barrier.wait()
                account = await engine.connections.refresh_if_due(
                    row, client, Account(BUSINESS, SecretToken("old"))
                )
                results.append(account.access_token.reveal())

        asyncio.run(go())

    threads = [threading.Thread(target=one_app) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert world.tiktok.used_refresh_tokens == {"tt-refresh"}
    assert not world.tiktok.locked_out
    assert len(results) == 4
    assert len(set(results)) == 1, "one app refreshed; the others use the token it stored"
    fresh = results
    assert fresh[0] != "old"
    stored = world.sql(
        "SELECT access_token, token_expires_at > now() FROM platform_connections "
        "WHERE platform = 'TIKTOK'"
    )[0]
    assert world.cipher.open(stored[0], token_place(tiktok, "access_token")).reveal() == fresh[0]
    assert stored[1] is True


def test_a_computer_without_the_teams_key_leaves_the_connections_alone(world):
    other_computer = TokenCipher(KeySet.fresh())

    async def go():
        async with httpx.AsyncClient(timeout=5) as http:
            clients: dict[Platform, PlatformClient] = {
                Platform.WHATSAPP: WhatsAppClient(http, world.meta.url)
            }
            return await SyncEngine(
                world.engine, world.sessions, other_computer, clients
            ).pass_once()

    report = asyncio.run(go())
    assert report.errors
    assert world.sql("SELECT DISTINCT status::text FROM platform_connections") == [("ACTIVE",)]
    # a token that was tampered with, though, is the connection's problem
    sealed = world.cipher.seal(
        SecretToken("wa-token"), token_place(world.connections[Platform.WHATSAPP], "access_token")
    )
    world.sql(
        "UPDATE platform_connections SET access_token = :t WHERE platform = 'WHATSAPP'",
        t=sealed[:-2] + ("00" if not sealed.endswith("00") else "11"),
    )
    world.run_pass()
    assert world.sql(
        "SELECT status::text FROM platform_connections WHERE platform = 'WHATSAPP'"
    ) == [("ERROR",)]


def test_temporary_failures_back_off_and_high_usage_slows_down(world):
    world.meta.customer_writes(PHONE, "447700900123", "hi")
    world.run_pass()
    world.reply("447700900123", "first")

    async def passes(count: int, usage: int = 0):
        async with httpx.AsyncClient(timeout=5) as http:
            clients: dict[Platform, PlatformClient] = {
                Platform.WHATSAPP: WhatsAppClient(http, world.meta.url)
            }
            engine = SyncEngine(world.engine, world.sessions, world.cipher, clients)
            reports = []
            for _ in range(count):
                reports.append(await engine.pass_once())
            return reports

    world.meta.inject(Fault("http", status=500, path_contains="/messages"))
    first, second = asyncio.run(passes(2))
    assert "next try in" in " ".join(first.errors)
    assert "waiting before the next try" in " ".join(second.errors), "backs off, no hammering"
    assert len(world.meta.sent) == 0
    world.meta.usage_percent = 95
    reports = asyncio.run(passes(2))
    assert reports[0].sent == 1
    assert "waiting before the next try" in " ".join(reports[1].errors), "slows down above 80 %"
