"""Files both ways on each platform, and WhatsApp templates outside the 24-hour
window: the app's service and sync engine against the fake platforms (real
HTTP) and the real test database."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from snorq_desktop.domain.attachments import KEEP_AT_MOST, MB
from snorq_desktop.domain.enums import ContentType, Platform
from snorq_desktop.domain.errors import FileRefused
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.reply_journal import JournalledReply, ReplyJournal
from tests.world import BUSINESS, PAGE, PHONE, World

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
PDF = b"%PDF-1.7\n" + os.urandom(5000)


def service_for(world: World, tmp_path: Path) -> InboxService:
    return InboxService(world.sessions, ReplyJournal(tmp_path / "journal.json"))


def conversation_of(world: World, external_id: str) -> str:
    return str(
        world.sql("SELECT id FROM conversations WHERE external_id = :e", e=external_id)[0][0]
    )


def kept(world: World, message_external_id: str) -> tuple[str, int, bytes | None, str | None]:
    rows = world.sql(
        """SELECT a.mime_type, a.size_bytes, a.content, a.problem FROM attachments a
           JOIN messages m ON m.id = a.message_id WHERE m.external_id = :e""",
        e=message_external_id,
    )
    assert rows, "no attachment row"
    mime, size, content, problem = rows[0]
    return str(mime), int(size), bytes(content) if content is not None else None, problem


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_whatsapp_photo_from_a_customer_is_kept_with_its_size(world, tmp_path):
    sent = world.meta.customer_sends_file(PHONE, "4915111", PNG, "image/png", caption="this one?")
    world.run_pass()  # stores the webhook event, then fetches the file
    assert kept(world, sent) == ("image/png", len(PNG), PNG, None)
    service = service_for(world, tmp_path)
    thread = service.thread(conversation_of(world, "4915111"), None)
    assert thread[-1].content == "this one?"
    assert thread[-1].content_type is ContentType.IMAGE
    assert thread[-1].attachment is not None
    assert thread[-1].attachment.size == len(PNG)
    assert thread[-1].attachment.kept
    name, mime, data = service.saved_file(thread[-1].id) or ("", "", b"")
    assert (mime, data) == ("image/png", PNG)
    assert name.endswith(".png")
    # The next pass asks for nothing again.
    before = len(world.meta.requests)
    world.run_pass()
    assert not any("/media" in r.path for r in world.meta.requests[before:])


def test_a_whatsapp_document_reply_is_uploaded_then_sent_with_its_caption(world, tmp_path):
    world.meta.customer_writes(PHONE, "4915222", "Can I have the invoice?")
    world.run_pass()
    service = service_for(world, tmp_path)
    conversation = conversation_of(world, "4915222")
    message_id = new_id()
    service.send_file(conversation, message_id, write(tmp_path, "invoice.pdf", PDF), "Here it is")
    world.run_pass()
    status, external_id, reason = world.status_of(message_id)
    assert (status, reason) in (("SENT", None), ("DELIVERED", None), ("READ", None))
    sent = next(s for s in world.meta.sent if s["id"] == external_id)
    assert sent["body"]["type"] == "document"
    assert sent["body"]["document"]["filename"] == "invoice.pdf"
    assert sent["body"]["document"]["caption"] == "Here it is"
    assert sent["file"].data == PDF  # the bytes that reached WhatsApp
    # The thread shows one message with the file and its caption.
    newest = service.thread(conversation, None)[-1]
    assert newest.content == "Here it is"
    assert newest.attachment is not None and newest.attachment.size == len(PDF)
    assert not (tmp_path / "journal-files" / message_id).exists()  # copy gone once stored


def test_messenger_files_both_ways_and_a_caption_follows_as_its_own_message(world, tmp_path):
    sent = world.meta.customer_sends_file(
        PAGE, "psid-77", PDF, "application/pdf", file_name="size-chart.pdf", whatsapp=False
    )
    world.run_pass()
    assert kept(world, sent)[:3] == ("application/pdf", len(PDF), PDF)
    service = service_for(world, tmp_path)
    conversation = conversation_of(world, "psid-77")
    service.send_file(conversation, new_id(), write(tmp_path, "shoe.png", PNG), "In blue too")
    world.run_pass()
    to_person = [s for s in world.meta.sent if s["to"] == "psid-77"]
    assert to_person[0]["file"].data == PNG
    assert to_person[0]["body"]["attachment"]["type"] == "image"
    assert to_person[1]["text"] == "In blue too"  # after the picture, in order
    statuses = world.sql(
        "SELECT status::text FROM messages WHERE conversation_id = :c AND direction = 'OUTBOUND'",
        c=conversation,
    )
    assert sorted(s for (s,) in statuses) == ["SENT", "SENT"]


def test_tiktok_images_both_ways_and_other_files_refused_before_sending(world, tmp_path):
    sent = world.tiktok.customer_sends_image(BUSINESS, "tt-user-5", PNG, "image/png")
    world.run_pass()
    assert kept(world, sent)[:3] == ("image/png", len(PNG), PNG)
    service = service_for(world, tmp_path)
    conversation = str(world.sql("SELECT id FROM conversations WHERE platform = 'TIKTOK'")[0][0])
    with pytest.raises(FileRefused, match="TikTok accepts only images"):
        service.send_file(conversation, new_id(), write(tmp_path, "terms.pdf", PDF))
    message_id = new_id()
    service.send_file(conversation, message_id, write(tmp_path, "photo.png", PNG))
    world.run_pass()
    assert world.status_of(message_id)[0] == "SENT"
    assert world.tiktok.sent[-1]["file"].data == PNG
    outbound = world.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'")[0][0]
    assert outbound == 1  # the refused PDF wrote nothing


def test_files_too_large_are_refused_with_the_reason(world, tmp_path):
    world.meta.customer_writes(PHONE, "4915333", "hello")
    world.run_pass()
    service = service_for(world, tmp_path)
    conversation = conversation_of(world, "4915333")
    big_photo = write(tmp_path, "big.jpg", b"\xff\xd8" + bytes(6 * MB))
    with pytest.raises(FileRefused, match=r"WhatsApp accepts images up to 5\.0 MB"):
        service.send_file(conversation, new_id(), big_photo)
    # A customer's file beyond what the app keeps: its size shows, the bytes don't.
    huge = bytes(KEEP_AT_MOST + 1)
    sent = world.meta.customer_sends_file(PHONE, "4915333", huge, "video/mp4")
    world.run_pass()
    _mime, size, content, problem = kept(world, sent)
    assert (size, content) == (len(huge), None)
    assert problem is not None and "SNORQ keeps files up to 25.0 MB" in problem
    assert service.thread(conversation, None)[-1].attachment.kept is False  # type: ignore[union-attr]


def test_a_file_reply_survives_in_the_journal_until_the_database_has_it(world, tmp_path):
    world.meta.customer_writes(PHONE, "4915444", "photo please")
    world.run_pass()
    journal = ReplyJournal(tmp_path / "journal.json")
    conversation = conversation_of(world, "4915444")
    message_id = new_id()
    # As if the app had crashed after journalling the reply, before storing it.
    copy = journal.keep_file(message_id, PNG)
    journal.add(
        JournalledReply(
            message_id=message_id,
            conversation_id=conversation,
            organization_id=world.org,
            sender_id=world.owner,
            text="",
            written_at=datetime.now(UTC),
            file_path=str(copy),
            file_name="shoe.png",
            mime_type="image/png",
        )
    )
    InboxService(world.sessions, ReplyJournal(tmp_path / "journal.json")).store_journalled_replies()
    stored = world.sql(
        "SELECT a.content, m.content_type::text FROM attachments a JOIN messages m"
        " ON m.id = a.message_id WHERE a.message_id = :m",
        m=message_id,
    )
    assert stored == [(PNG, "IMAGE")]
    assert journal.replies() == [] and not copy.exists()


def test_the_file_of_a_reply_comes_from_the_database_whichever_app_sends_it(world, tmp_path):
    """A teammate's app (no journal, no local file) sends a reply made elsewhere."""
    world.meta.customer_writes(PHONE, "4915555", "and the manual?")
    world.run_pass()
    service = service_for(world, tmp_path / "first-app")
    message_id = new_id()
    service.send_file(
        conversation_of(world, "4915555"), message_id, write(tmp_path, "manual.pdf", PDF)
    )
    (tmp_path / "manual.pdf").unlink()
    world.run_pass()  # the engine has only the database
    assert world.status_of(message_id)[0] in ("SENT", "DELIVERED", "READ")
    assert world.meta.sent[-1]["file"].data == PDF


def _age_conversation(world: World, person: str, hours: int) -> str:
    """The customer's last message ``hours`` ago (the service window uses platform time)."""
    conversation = conversation_of(world, person)
    world.sql(
        "UPDATE messages SET platform_timestamp = now() - make_interval(hours => :h)"
        " WHERE conversation_id = :c",
        h=hours,
        c=conversation,
    )
    return conversation


def test_outside_whatsapps_window_only_a_template_goes_out(world, tmp_path):
    world.meta.customer_writes(PHONE, "4915666", "Is my order shipped?")
    world.run_pass()
    world.sql(
        "UPDATE platform_connections SET business_account_id = 'WABA-1' WHERE platform = 'WHATSAPP'"
    )
    world.meta.add_template("WABA-1", "order_update", "Hello {{1}}, your order {{2}} has shipped.")
    service = service_for(world, tmp_path)
    conversation = _age_conversation(world, "4915666", 30)
    header = service.header(conversation)
    assert header is not None
    assert header.template_only_reason is not None
    assert "24 hours" in header.template_only_reason
    assert header.connection_id == world.connections[Platform.WHATSAPP]

    # The templates come from Meta (through the engine, as the window asks).
    import asyncio

    import httpx

    from snorq_desktop.platforms.whatsapp_api import WhatsAppClient
    from snorq_desktop.sync.engine import SyncEngine

    async def ask() -> list[MessageTemplate]:
        async with httpx.AsyncClient(timeout=5) as http:
            engine = SyncEngine(
                world.engine,
                world.sessions,
                world.cipher,
                {Platform.WHATSAPP: WhatsAppClient(http, world.meta.url)},
            )
            return await engine.templates(header.connection_id or "")

    templates = asyncio.run(ask())
    assert [(t.name, t.parameter_count) for t in templates] == [("order_update", 2)]
    with pytest.raises(FileRefused, match="Fill in value 2"):
        service.send_template(conversation, new_id(), templates[0], ("Ana",))
    message_id = new_id()
    service.send_template(conversation, message_id, templates[0], ("Ana", "#1042"))
    world.run_pass()
    assert world.status_of(message_id)[0] in ("SENT", "DELIVERED", "READ")
    body = world.meta.sent[-1]["body"]
    assert body["type"] == "template"
    assert body["template"]["name"] == "order_update"
    assert body["template"]["language"] == {"code": "en_US"}
    assert [p["text"] for p in body["template"]["components"][0]["parameters"]] == [
        "Ana",
        "#1042",
    ]
    newest = service.thread(conversation, None)[-1]
    assert newest.content == "Hello Ana, your order #1042 has shipped."
    assert newest.template_name == "order_update"
    # Free text in the same conversation is refused before it reaches Meta.
    text_id = world.reply("4915666", "Hi again")
    before = len(world.meta.sent)
    world.run_pass()
    status, _, reason = world.status_of(text_id)
    assert status == "FAILED" and reason is not None and "24 hours" in reason
    assert len(world.meta.sent) == before


def test_a_template_meta_refuses_fails_with_metas_reason(world, tmp_path):
    world.meta.customer_writes(PHONE, "4915777", "hi")
    world.run_pass()
    world.meta.add_template("WABA-1", "welcome", "Welcome!")
    conversation = _age_conversation(world, "4915777", 48)
    service = service_for(world, tmp_path)
    gone = MessageTemplate("retired_template", "en_US", "UTILITY", "Bye")
    message_id = new_id()
    service.send_template(conversation, message_id, gone, ())
    world.run_pass()
    status, _, reason = world.status_of(message_id)
    assert status == "FAILED"
    assert reason is not None and "Template name does not exist" in reason


def test_inside_the_window_no_template_is_needed(world, tmp_path):
    world.meta.customer_writes(PHONE, "4915888", "hi")
    world.run_pass()
    header = service_for(world, tmp_path).header(conversation_of(world, "4915888"))
    assert header is not None and header.template_only_reason is None


def test_a_whatsapp_file_outside_the_window_is_refused_before_upload(world, tmp_path):
    world.meta.customer_writes(PHONE, "4915999", "hi")
    world.run_pass()
    conversation = _age_conversation(world, "4915999", 25)
    message_id = new_id()
    service_for(world, tmp_path).send_file(
        conversation, message_id, write(tmp_path, "late.pdf", PDF)
    )
    world.run_pass()
    status, _, reason = world.status_of(message_id)
    assert status == "FAILED" and "24 hours" in (reason or "")
    assert not any(r.path.endswith("/media") for r in world.meta.requests)
