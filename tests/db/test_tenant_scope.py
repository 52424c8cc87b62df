"""Every statement the app sends against a shop's tables names the shop: the
app's read and write paths run with every statement captured, and any that
touches a table distributed by ``organization_id`` (docs/scale-out.md) without
filtering by it fails the test, so a Citus distribution by the organisation
stays open (each statement then lands on one shard)."""

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from snorq_desktop.domain.business_hours import BusinessHours
from snorq_desktop.domain.drafts import Draft
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.domain.view_split import InboxSplit
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.services.outgoing_webhooks import WebhookService
from snorq_desktop.services.reply_journal import ReplyJournal
from snorq_desktop.sync.maintenance import purge_history, roll_up
from snorq_desktop.sync.webhook_sender import WebhookSender
from tests.api_world import api_client, api_login, bearer, make_key
from tests.e2e.test_outgoing_webhooks import Receiver
from tests.world import PHONE, World, wait_for

HOUR = timedelta(hours=1)

# Distributed by organization_id on Citus (docs/scale-out.md).  users and
# member_logins would be reference tables, webhook_events stays on the
# coordinator (the relay stores an event before its shop is known), and
# organizations is distributed by its own id.
DISTRIBUTED = (
    "organization_members",
    "platform_connections",
    "platform_apps",
    "conversations",
    "messages",
    "attachments",
    "labels",
    "conversation_labels",
    "notes",
    "reply_drafts",
    "invites",
    "daily_analytics",
    "daily_platform_analytics",
    "analytics_pending",
    "conversation_day_analytics",
    "history_retention",
    "inbox_count_changes",
    "work_leases",
    "assignment_count_changes",
    "api_keys",
    "outgoing_webhooks",
    "webhook_deliveries",
    "quick_replies",
    "licences",
    "business_hours",
    "automatic_replies",
)
_TOUCHES = re.compile(
    r"\b(?:from|join|update|into)\s+(?:only\s+)?\"?(" + "|".join(DISTRIBUTED) + r")\b\"?",
    re.IGNORECASE,
)

# Statements allowed to skip the organisation, each with why (and listed in
# docs/scale-out.md).  Matched by a piece of their text.  None is left: notes,
# the last, got their organization_id in migration 0021.
KNOWN_EXCEPTIONS: dict[str, str] = {}


@contextmanager
def every_statement() -> Iterator[list[str]]:
    """Every statement sent through psycopg meanwhile: SQLAlchemy's (ORM and
    Core) and the raw fetches of store/compiled_reads.py alike."""
    seen: list[str] = []
    cursor = psycopg.Cursor
    execute, executemany = cursor.execute, cursor.executemany

    def capture(query: Any) -> None:
        seen.append(query if isinstance(query, str) else str(query))

    def capturing_execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        capture(query)
        return execute(self, query, *args, **kwargs)

    def capturing_executemany(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        capture(query)
        return executemany(self, query, *args, **kwargs)

    cursor.execute = capturing_execute  # type: ignore[method-assign]
    cursor.executemany = capturing_executemany  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        cursor.execute = execute  # type: ignore[method-assign]
        cursor.executemany = executemany  # type: ignore[method-assign]


def unscoped(statements: list[str]) -> list[str]:
    found = []
    for statement in statements:
        flat = " ".join(statement.split())
        if not _TOUCHES.search(flat) or "organization_id" in flat:
            continue
        if any(piece in flat for piece in KNOWN_EXCEPTIONS):
            continue
        found.append(flat)
    return sorted(set(found))


def _workload(world: World, tmp_path) -> None:
    """What a member's app does on a day: the webhook taken in, the inbox read
    and searched, a thread opened and answered, labels, notes and drafts, the
    dashboard's rollup and the FREE plan's purge."""
    customer = "447700900123"
    asked = world.meta.customer_writes(PHONE, customer, "Is the blue dress available?", name="Ana")
    wait_for(lambda: world.sql("SELECT count(*) FROM webhook_events")[0][0] == 1)
    service = InboxService(
        world.sessions, ReplyJournal(tmp_path / "journal.json"), acting_user_id=world.owner
    )
    service.identity()
    # closed all week, the away message on: the pass queues and sends it (#17.6)
    service.business_hours.save(BusinessHours("UTC", (None,) * 7, away_on=True, away_text="Away"))
    assert service.business_hours.read() is not None
    world.run_pass()  # and the away message's delivery statuses come back by webhook
    assert world.sql(
        "SELECT count(*) FROM automatic_replies WHERE organization_id = :o", o=world.org
    ) == [(1,)]
    [row] = service.inbox_page(InboxQuery(), None, 50)
    conversation = row.id
    service.inbox_page(InboxQuery(view=InboxView.UNREAD), None, 50)
    service.inbox_page(InboxQuery(search="blue dress"), None, 50)
    service.counts()
    service.summaries([conversation])
    service.header(conversation)
    messages = service.thread(conversation, None)
    service.messages([m.id for m in messages])
    service.open_conversation(conversation)
    service.mark_unread(conversation)
    service.send_reply(conversation, new_id(), "Yes, in every size!")
    world.run_pass()  # polls and sends it
    # The customer reacts to, edits and takes back a message: changes to stored rows.
    world.meta.customer_reacts(PHONE, customer, asked, "👍", whatsapp=True)
    world.meta.customer_edits(PHONE, customer, asked, "Is the red dress available?", whatsapp=True)
    later = world.meta.customer_writes(PHONE, customer, "Never mind", name="Ana")
    world.meta.customer_deletes(PHONE, customer, later, whatsapp=True)
    world.run_pass()
    assert world.sql(
        "SELECT count(*) FROM messages WHERE organization_id = :o AND deleted_at IS NOT NULL",
        o=world.org,
    ) == [(1,)]
    service.inbox_page(InboxQuery(view=InboxView.CLOSING_SOON), None, 50)  # #17.5
    scheduled = new_id()  # send later (#17.4): scheduled, then taken back
    service.send_later.schedule(conversation, scheduled, "Later", datetime.now(UTC) + HOUR)
    service.send_later.cancel(scheduled)
    label, _ = service.labels.create("VIP")
    service.labels.apply(label, [conversation])
    service.labels.all()
    service.labels.of(conversation)
    service.inbox_page(InboxQuery(label_id=label), None, 50)
    service.labels.rename(label, "Very important")
    service.labels.remove(label, [conversation])
    service.labels.delete(label)
    note, _ = service.notes.add(conversation, "Ana is a regular")
    service.notes.of(conversation)
    service.notes.edit(note.id, "Ana is a regular: size M")
    service.notes.delete(note.id)
    service.drafts.save(Draft(conversation, "Thank you", as_note=False))
    service.drafts.of(conversation)
    service.drafts.written()
    service.assignments.teammates()
    service.assignments.assign(conversation, None)
    service.assignments.take(conversation)
    service.inbox_page(InboxQuery(view=InboxView.MINE), None, 50)
    service.inbox_page(InboxQuery(view=InboxView.UNASSIGNED), None, 50)
    service.refreshed(InboxQuery(view=InboxView.MINE), frozenset({conversation}))
    saved, _ = service.quick_replies.add("/price", "Hi {first_name}, from 25 €")  # #17.1
    service.quick_replies.all()
    service.quick_replies.change(saved, "/prices", "From 25 €")
    service.quick_replies.delete(saved)
    service.snooze.snooze([conversation], datetime.now(UTC) + HOUR)  # #17.3
    service.inbox_page(InboxQuery(view=InboxView.SNOOZED), None, 50)
    service.snooze.snoozed_until(conversation)
    service.snooze.unsnooze([conversation])
    service.snooze.wake_due()
    for split in InboxSplit:  # #17.7
        service.inbox_page(InboxQuery(split=split), None, 50)
    roll_up(world.sessions)
    purge_history(world.engine, world.sessions)


def test_every_statement_against_a_shops_table_names_the_shop(world, tmp_path):
    with every_statement() as statements:
        _workload(world, tmp_path)
    assert len(statements) > 50, "the workload ran"
    touched = {m.group(1).lower() for s in statements for m in _TOUCHES.finditer(s)}
    assert {"conversations", "messages", "labels", "notes", "reply_drafts"} <= touched
    assert {"business_hours", "automatic_replies"} <= touched
    problems = unscoped(statements)
    assert problems == [], "\n".join(problems)


def test_the_check_catches_a_statement_without_the_shop():
    assert unscoped(["SELECT id FROM messages WHERE conversation_id = %(c)s"]) != []
    assert unscoped(["SELECT id FROM messages WHERE organization_id = %(o)s"]) == []
    assert unscoped(["SELECT id FROM users WHERE id = %(u)s"]) == []


def _api_and_webhooks_workload(world: World, database_url, receiver: Receiver) -> None:
    """A shop's own system on the BUSINESS plan: every REST API route (logged in
    as the API's login, under row-level security), and its outgoing webhooks
    claimed, posted, put back and marked by the headless sender."""
    world.sql("UPDATE organizations SET plan = 'BUSINESS'")
    owner = Identity(world.org, "Shop", world.owner, "Maya")
    WebhookService(world.sessions, lambda: world.cipher).add(owner, receiver.url)
    world.meta.customer_writes(PHONE, "447700900123", "Is the blue dress available?", name="Ana")
    wait_for(lambda: world.sql("SELECT count(*) FROM webhook_events")[0][0] == 1)
    world.run_pass()
    with api_login(world.engine, database_url) as api_sessions:
        key = make_key(world.sessions, world.org, world.owner)
        with api_client(api_sessions) as http:
            http.headers.update(bearer(key))
            [conversation] = http.get("/conversations").json()["data"]
            one = f"/conversations/{conversation['id']}"
            for filters in ({"q": "blue dress"}, {"unread": "true", "platform": "WHATSAPP"}):
                assert http.get("/conversations", params=filters).status_code == 200
            assert http.get(one).status_code == 200
            assert http.get(one + "/messages", params={"limit": 1}).status_code == 200
            for _ in range(2):  # the second is the same request again
                reply = {"text": "Yes, in every size!"}
                sent = http.post(one + "/messages", json=reply, headers={"Idempotency-Key": "r1"})
                assert sent.status_code in (200, 201), sent.text
            assert http.post(one + "/labels/VIP").status_code == 200
            assert http.get("/conversations", params={"label": "VIP"}).status_code == 200
            assert http.delete(one + "/labels/VIP").status_code == 200
            assert http.post(one + "/notes", json={"content": "Regular"}).status_code == 201
            assert http.patch(one, json={"status": "CLOSED"}).status_code == 200
    receiver.answers = [503]  # the first post is refused, so it is put back

    async def deliver() -> int:
        async with httpx.AsyncClient(timeout=5) as client:
            return await WebhookSender(world.sessions, world.cipher, client).deliver_due()

    asyncio.run(deliver())
    # The test's own statements name the shop too (they are captured alike).
    world.sql(  # the wait is over
        "UPDATE webhook_deliveries SET next_attempt_at = now() WHERE organization_id = :o",
        o=world.org,
    )
    asyncio.run(deliver())
    waiting = (
        "SELECT count(*) FILTER (WHERE delivered_at IS NULL), count(*) "
        "FROM webhook_deliveries WHERE organization_id = :o"
    )
    assert world.sql(waiting, o=world.org) == [(0, 2)]  # the new message and the status


@pytest.fixture
def shops_system() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.server.shutdown()
    made.server.server_close()


def test_the_api_and_outgoing_webhooks_name_the_shop(world, database_url, shops_system):
    receiver = shops_system
    with every_statement() as statements:
        _api_and_webhooks_workload(world, database_url, receiver)
    touched = {m.group(1).lower() for s in statements for m in _TOUCHES.finditer(s)}
    assert {"conversations", "messages", "notes", "webhook_deliveries"} <= touched
    problems = unscoped(statements)
    assert problems == [], "\n".join(problems)
