"""The demo: a shop with conversations on all three platforms, and customers who
keep writing while you watch.

Until the platform clients land, the demo's "platforms" are this module: new
inbound messages are stored the way a sync would store them, and replies tick
through SENT, DELIVERED and READ as a platform's status events would move them.
"""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.demo.assignments import seed_assignments
from snorq_desktop.demo.business_hours import seed_business_hours
from snorq_desktop.demo.content import ANSWERS, ASKS, CUSTOMERS, MEDIA
from snorq_desktop.demo.files import sample
from snorq_desktop.demo.labels import seed_labels_and_notes, seed_quick_replies
from snorq_desktop.demo.reply_clocks import seed_reply_clocks
from snorq_desktop.demo.snoozed import seed_snoozed
from snorq_desktop.domain.attachments import FileToSend
from snorq_desktop.domain.enums import (
    ContentType,
    MessageDirection,
    MessageStatus,
    PlanType,
    Platform,
)
from snorq_desktop.domain.inbox import preview_of
from snorq_desktop.domain.tokens import SecretToken, TokenSealer
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.attachments import keep_outgoing
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.identity import default_identity
from snorq_desktop.store.models import Conversation, Message
from snorq_desktop.store.platform_apps import AppProvider, save_app_credentials
from snorq_desktop.store.unit_of_work import unit_of_work


def demo_conversation_id(platform: Platform, contact: str) -> str:
    """Keyed as the platforms key them: WhatsApp and Messenger by the person,
    TikTok by its conversation id (which the fake TikTok makes the same way)."""
    if platform is Platform.TIKTOK:
        return f"{DEMO_ACCOUNTS[platform][0]}+{contact}=="
    return contact


DEMO_ACCOUNTS = {
    Platform.WHATSAPP: ("106540352242922", "+44 7700 900123", "Maya's Handmade"),
    Platform.FACEBOOK: ("1143561907842211", "mayashandmade", "Maya's Handmade"),
    Platform.TIKTOK: ("bc-7193318264", "@mayashandmade", "Maya's Handmade"),
}


_EXTENSIONS = {
    "image/png": ".png",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "audio/ogg": ".ogg",
}
# The demo shop's own Meta and TikTok apps (registered with the demo's fake
# platforms), so Team ▸ Connections… can reconnect through a browser there.
DEMO_APPS = {
    AppProvider.META: ("demo-meta-app", "demo-meta-app-secret"),
    AppProvider.TIKTOK: ("demo-tiktok-client", "demo-tiktok-client-secret"),
}
DEMO_BUSINESS_ACCOUNT = "102290129340398"  # the demo's WhatsApp Business Account


def seed_demo(
    sessions: sessionmaker[Session],
    *,
    now: datetime | None = None,
    seed: int = 7,
    sealer: TokenSealer | None = None,
) -> bool:
    """Fill an empty demo database; False if it already has an organisation."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    with unit_of_work(sessions) as session:
        if default_identity(session) is not None:
            return False
        owner = orgs.create_user(session, email="maya@mayashandmade.example", name="Maya Okafor")
        org = orgs.create_organization(
            session,
            owner_id=owner,
            name="Maya's Handmade",
            slug="mayas-handmade",
            plan=PlanType.PRO,
        )
        helper = orgs.create_user(session, email="leo@mayashandmade.example", name="Leo Park")
        orgs.add_member(session, organization_id=org, user_id=helper)
        # Demo tokens are sealed like real ones: with the demo's own key when the
        # demo runs on the local fake platforms, else under a key nobody keeps.
        cipher = sealer or TokenCipher(KeySet.fresh())
        connections = {
            platform: connect_platform(
                session,
                cipher,
                organization_id=org,
                account=PlatformAccount(
                    platform=platform,
                    platform_user_id=account_id,
                    access_token=SecretToken(f"demo-{platform.value.lower()}"),
                    username=username,
                    display_name=display,
                    business_account_id=(
                        DEMO_BUSINESS_ACCOUNT if platform is Platform.WHATSAPP else None
                    ),
                ),
            )
            for platform, (account_id, username, display) in DEMO_ACCOUNTS.items()
        }
        for provider, (app_id, app_secret) in DEMO_APPS.items():
            save_app_credentials(
                session,
                cipher,
                organization_id=org,
                provider=provider,
                app_id=app_id,
                app_secret=SecretToken(app_secret),
            )
        for index, (name, username, platform, language) in enumerate(CUSTOMERS):
            _seed_conversation(
                session,
                rng,
                org=org,
                senders=(owner, helper),
                index=index,
                now=now,
                connection=connections[platform],
                platform=platform,
                customer=(name, username),
                language=language,
            )
        session.flush()
        seed_labels_and_notes(session, org, (owner, helper), now)
        seed_quick_replies(session, org, owner)
        seed_reply_clocks(session, org, helper, now)
        seed_assignments(session, org, (owner, helper))
        seed_business_hours(session, org, owner)
        seed_snoozed(session, org, now)
    return True


def _seed_conversation(
    session: Session,
    rng: random.Random,
    *,
    org: str,
    senders: tuple[str, str],
    index: int,
    now: datetime,
    connection: str,
    platform: Platform,
    customer: tuple[str, str],
    language: str,
) -> None:
    name, username = customer
    conversation = Conversation(
        organization_id=org,
        platform_connection_id=connection,
        platform=platform,
        external_id=demo_conversation_id(platform, f"{username}-id"),
        contact_external_id=f"{username}-id",
        contact_name=name,
        contact_username=username,
    )
    session.add(conversation)
    session.flush()
    # Older conversations further back; each a short exchange over a few days.
    at = now - timedelta(days=index * 0.4 + 0.05, minutes=rng.randint(0, 50))
    turns = rng.randint(5, 14)
    last: Message | None = None
    unread = 0
    for turn in range(turns):
        inbound = turn % 2 == 0 or rng.random() < 0.25
        at = at - timedelta(hours=rng.uniform(0.3, 9)) if turn == 0 else at
        when = at + timedelta(minutes=turn * rng.randint(2, 40))
        content_type, media_type, media_url, text = ContentType.TEXT, None, None, None
        if rng.random() < 0.18:
            content_type, media_type, file_name, text = MEDIA[(index + turn) % len(MEDIA)]
            media_url = file_name if ":" in file_name else f"https://media.example/{file_name}"
        if inbound:
            text = text if content_type is not ContentType.TEXT else rng.choice(ASKS[language])
            status = MessageStatus.DELIVERED
        else:
            text = text if content_type is not ContentType.TEXT else rng.choice(ANSWERS)
            status = rng.choice([MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ])
        last = Message(
            organization_id=org,
            conversation_id=conversation.id,
            external_id=f"{conversation.external_id}-m{turn}",
            direction=MessageDirection.INBOUND if inbound else MessageDirection.OUTBOUND,
            content=text,
            content_type=content_type,
            media_type=media_type,
            media_url=media_url,
            status=status,
            platform_timestamp=when,
            created_at=when,
            sent_by_user_id=None if inbound else senders[turn % 2],
        )
        session.add(last)
        if media_url and (file := sample(content_type, media_url.rsplit("/", 1)[-1], turn)):
            # The demo's files are already kept, as if fetched: nothing to download.
            mime, data = file
            last.media_type = mime
            session.flush()
            name = media_url.rsplit("/", 1)[-1].rsplit(".", 1)[0] + _EXTENSIONS[mime]
            keep_outgoing(session, last.id, FileToSend(name, mime, data, content_type))
        unread = unread + 1 if inbound else 0
    assert last is not None
    # One reply the platform refused (to retry), one still on its way.
    special = {
        3: (MessageStatus.FAILED, timedelta(minutes=30)),
        5: (MessageStatus.PENDING, timedelta()),
    }
    if index in special:
        status, age = special[index]
        when = now - age
        last = Message(
            organization_id=org,
            conversation_id=conversation.id,
            direction=MessageDirection.OUTBOUND,
            content=ANSWERS[index],
            content_type=ContentType.TEXT,
            status=status,
            sent_by_user_id=senders[0],
            platform_timestamp=when,
            created_at=when,
        )
        session.add(last)
        unread = 0
    assert last.platform_timestamp is not None
    conversation.last_message_at = last.platform_timestamp
    conversation.last_message_direction = last.direction.value
    conversation.last_message_preview = preview_of(last.content_type, last.content)
    conversation.unread_count = unread if index < 12 else 0
