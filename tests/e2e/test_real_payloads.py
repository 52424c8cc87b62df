"""Every real webhook body in ../shared/real-payloads (recorded by other projects,
none written here) goes through the relay, signed over its exact bytes, and one
`sync --once`: nothing is refused, nothing raises, and each event is stored,
skipped (a kind the inbox does not need) or shown as a placeholder.

The corpus lives beside the project (CI has it); without it this test is skipped.
"""

import collections
import json
import logging
import time
from pathlib import Path

import pytest

from snorq_desktop.boot.cli import main
from snorq_desktop.domain.enums import PlanType, Platform
from snorq_desktop.domain.platform_events import (
    DeliveryUpdate,
    MessageDeletion,
    MessageEdit,
    PlatformMessage,
    Reaction,
    ReadUpTo,
    SkippedEvent,
)
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.platforms.webhooks import META, TIKTOK, parse_body
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.unit_of_work import unit_of_work
from tests.e2e.test_relay import meta_signature, relay, tiktok_signature  # noqa: F401


def _corpus() -> Path:
    """../shared/real-payloads from the project's root (a worktree may sit deeper)."""
    root = Path(__file__).resolve().parents[2]
    for folder in root.parents:
        if (folder / "shared" / "real-payloads").is_dir():
            return folder / "shared" / "real-payloads"
    return root.parent / "shared" / "real-payloads"


CORPUS = _corpus()

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def webhook_bodies() -> list[tuple[str, str, bytes]]:
    """(kind, source, raw bytes) of each webhook body; Graph API responses are left out."""
    found = []
    for path in sorted(CORPUS.rglob("*.json")):
        raw = path.read_bytes()
        body = json.loads(raw)
        if not isinstance(body, dict) or ("object" not in body and "event" not in body):
            continue
        source = TIKTOK if "event" in body and "object" not in body else META
        relative = path.relative_to(CORPUS)
        kind = "/".join(relative.parts[:-1]) if len(relative.parts) > 2 else relative.parts[0]
        found.append((kind, source, raw))
    return found


def outcome(event: object) -> str:
    if isinstance(event, SkippedEvent):
        return "skipped"
    if isinstance(event, PlatformMessage):
        return "placeholder" if event.placeholder else "message"
    if isinstance(event, Reaction | MessageEdit | MessageDeletion):
        return "change"
    assert isinstance(event, DeliveryUpdate | ReadUpTo)
    return "status"


def accounts(bodies: list[tuple[str, str, bytes]]) -> set[tuple[Platform, str]]:
    named = set()
    for _, source, raw in bodies:
        for event in parse_body(source, raw):
            if not isinstance(event, SkippedEvent):
                named.add((event.platform, event.account_id))
    return named


def test_every_shared_real_body_is_accepted_and_stored_skipped_or_shown(
    relay,  # noqa: F811
    shop,
    caplog,
    capsys,
):
    bodies = webhook_bodies()
    assert len(bodies) >= 50  # 57 when this was written
    cipher = TokenCipher(KeySet.fresh())
    # One organisation per platform account the bodies name (one account per
    # platform each); PRO, so the corpus's 2023 messages are inside the history kept.
    with unit_of_work(shop.sessions) as session:
        for n, (platform, account) in enumerate(sorted(accounts(bodies))):
            organization = orgs.create_organization(
                session,
                owner_id=shop.owner_id,
                name=f"Real {n}",
                slug=f"real-{n}",
                plan=PlanType.PRO,
            )
            connect_platform(
                session,
                cipher,
                organization_id=organization,
                account=PlatformAccount(
                    platform=platform, platform_user_id=account, access_token=SecretToken("t")
                ),
            )
    refused = []
    for kind, source, raw in bodies:
        for _ in (1, 2):
            if source == TIKTOK:
                headers = {"Tiktok-Signature": tiktok_signature(raw, int(time.time()))}
            else:
                headers = {"X-Hub-Signature-256": meta_signature(raw)}
            response = relay.post(f"/webhooks/{source}", content=raw, headers=headers)
            if response.status_code != 200:
                refused.append(f"{kind}: {response.status_code} {response.text}")
    assert refused == []

    caplog.set_level(logging.INFO)
    url = shop.engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "sync", "--once"]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert shop.sql(
        "SELECT count(*), count(error) FROM webhook_events WHERE processed_at IS NOT NULL"
    ) == [(len({raw for _, _, raw in bodies}), 0)]

    tally: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for kind, source, raw in bodies:
        for event in parse_body(source, raw):
            tally[kind][outcome(event)] += 1
    columns = ("message", "placeholder", "change", "status", "skipped")
    print("\nshared bodies by kind:", " / ".join(columns))
    for kind in sorted(tally):
        print(f"  {kind:42} " + " ".join(f"{tally[kind][c]:3}" for c in columns))
    total = sum(tally.values(), collections.Counter())
    print(f"  {'total':42} " + " ".join(f"{total[c]:3}" for c in columns))
    with capsys.disabled():
        print("\n".join(f"{k}: {dict(v)}" for k, v in sorted(tally.items())))
        print("total:", dict(total))

    # What people see: the TikTok customer by username, the placeholders saying what they were.
    assert shop.sql(
        "SELECT c.contact_username, m.content FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id WHERE m.external_id = 'tt-msg-1'"
    ) == [("Alice", "Hello from TikTok")]
    placeholders = shop.sql(
        "SELECT content FROM messages WHERE content LIKE 'Unsupported %' ORDER BY content"
    )
    assert placeholders and all("(" in row[0] for row in placeholders)
    assert total["placeholder"] >= 1 and total["skipped"] >= 1 and total["change"] >= 1
    # reactions and edits are not messages: no row says "Reacted"
    assert shop.sql("SELECT count(*) FROM messages WHERE content LIKE 'Reacted%'") == [(0,)]
