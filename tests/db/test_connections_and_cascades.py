"""One connection per platform per organisation, sealed tokens, and the seed's
cascades: deleting something removes what hangs below it, and nothing else."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import MessageDirection, PlanType, Platform
from snorq_desktop.domain.errors import PlatformAlreadyConnected
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import connections as conns
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.models import (
    Conversation,
    Message,
    Organization,
    OrganizationMember,
    PlatformConnection,
    User,
)


@pytest.fixture
def cipher() -> TokenCipher:
    return TokenCipher(KeySet.fresh())


def _account(platform: Platform, account_id: str, token: str, refresh: str | None = None):
    return conns.PlatformAccount(
        platform=platform,
        platform_user_id=account_id,
        access_token=SecretToken(token),
        refresh_token=SecretToken(refresh) if refresh else None,
        username=f"@{account_id}",
    )


def _shop(session: Session, slug: str, plan: PlanType = PlanType.PRO) -> tuple[str, str]:
    owner = orgs.create_user(session, email=f"{slug}@example.com")
    return owner, orgs.create_organization(session, owner_id=owner, name=slug, slug=slug, plan=plan)


def test_tokens_are_sealed_before_they_reach_the_database(session, cipher):
    _, org = _shop(session, "shop")
    cid = conns.connect_platform(
        session,
        cipher,
        organization_id=org,
        account=_account(Platform.TIKTOK, "biz-1", "act-secret-1", "ref-secret-1"),
    )
    stored = session.execute(
        text("SELECT access_token, refresh_token FROM platform_connections WHERE id = :id"),
        {"id": cid},
    ).one()
    assert all(
        value.startswith("b1:") and f":k{cipher.current_version}:" in value for value in stored
    )
    assert "act-secret-1" not in stored[0]
    assert "ref-secret-1" not in stored[1]
    access, refresh = conns.read_tokens(session, cipher, cid)
    assert (access.reveal(), refresh and refresh.reveal()) == ("act-secret-1", "ref-secret-1")
    assert "secret" not in repr(session.get(PlatformConnection, cid))


def test_reconnecting_the_same_account_replaces_its_tokens(session, cipher):
    _, org = _shop(session, "shop")
    first = conns.connect_platform(
        session, cipher, organization_id=org, account=_account(Platform.WHATSAPP, "1055", "old")
    )
    session.execute(
        text("UPDATE platform_connections SET status = 'EXPIRED', error_message = 'Token expired'")
    )
    second = conns.connect_platform(
        session, cipher, organization_id=org, account=_account(Platform.WHATSAPP, "1055", "new")
    )
    assert first == second
    connection = session.get(PlatformConnection, first)
    assert connection is not None
    assert (connection.status.value, connection.error_message) == ("ACTIVE", None)
    assert conns.read_tokens(session, cipher, first)[0].reveal() == "new"
    assert session.execute(select(func.count()).select_from(PlatformConnection)).scalar_one() == 1


def test_a_second_account_on_the_same_platform_is_refused(session, cipher):
    _, org = _shop(session, "shop")
    conns.connect_platform(
        session, cipher, organization_id=org, account=_account(Platform.FACEBOOK, "page-1", "t")
    )
    with pytest.raises(PlatformAlreadyConnected, match="Messenger as @page-1"):
        conns.connect_platform(
            session, cipher, organization_id=org, account=_account(Platform.FACEBOOK, "page-2", "t")
        )
    # other platforms, and other organisations, are free
    conns.connect_platform(
        session, cipher, organization_id=org, account=_account(Platform.TIKTOK, "biz", "t")
    )
    _, other = _shop(session, "other")
    conns.connect_platform(
        session, cipher, organization_id=other, account=_account(Platform.FACEBOOK, "page-2", "t")
    )


class World:
    """Two shops, each with a member, a connection, a conversation and messages."""

    def __init__(self, session: Session, cipher: TokenCipher) -> None:
        self.session = session
        self.shops: dict[str, dict[str, str]] = {}
        helper = orgs.create_user(session, email="helper@example.com")
        self.helper = helper
        for slug in ("alpha", "beta"):
            owner, org = _shop(session, slug)
            orgs.add_member(session, organization_id=org, user_id=helper)
            connection = conns.connect_platform(
                session,
                cipher,
                organization_id=org,
                account=_account(Platform.WHATSAPP, f"{slug}-phone", "t"),
            )
            conversation = Conversation(
                organization_id=org,
                platform_connection_id=connection,
                platform=Platform.WHATSAPP,
                external_id=f"{slug}-c",
                contact_external_id="wa-1",
            )
            session.add(conversation)
            session.flush()
            for n, sender in enumerate((None, helper, owner)):
                session.add(
                    Message(
                        organization_id=org,
                        conversation_id=conversation.id,
                        direction=MessageDirection.INBOUND
                        if sender is None
                        else MessageDirection.OUTBOUND,
                        content=f"hello {n}",
                        sent_by_user_id=sender,
                        external_id=f"{slug}-m{n}",
                        platform_timestamp=datetime.now(UTC),
                    )
                )
            self.shops[slug] = {
                "owner": owner,
                "org": org,
                "connection": connection,
                "conversation": conversation.id,
            }
        session.flush()

    def counts(self) -> dict[str, int]:
        tables = {
            "users": User,
            "organizations": Organization,
            "members": OrganizationMember,
            "connections": PlatformConnection,
            "conversations": Conversation,
            "messages": Message,
        }
        self.session.expire_all()
        return {
            name: self.session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in tables.items()
        }


BEFORE = {
    "users": 3,
    "organizations": 2,
    "members": 4,
    "connections": 2,
    "conversations": 2,
    "messages": 6,
}


def test_deleting_a_message_owner_user_removes_their_organisations_and_nothing_else(
    session, cipher
):
    world = World(session, cipher)
    assert world.counts() == BEFORE
    orgs.delete_user(session, world.shops["alpha"]["owner"])
    assert world.counts() == {
        "users": 2,
        "organizations": 1,
        "members": 2,
        "connections": 1,
        "conversations": 1,
        "messages": 3,
    }


def test_deleting_a_member_user_keeps_their_replies_without_a_sender(session, cipher):
    world = World(session, cipher)
    orgs.delete_user(session, world.helper)
    assert world.counts() == {**BEFORE, "users": 2, "members": 2}
    senders = session.execute(
        select(Message.sent_by_user_id).where(Message.content == "hello 1")
    ).scalars()
    assert list(senders) == [None, None]


def test_deleting_an_organisation_removes_everything_below_it_only(session, cipher):
    world = World(session, cipher)
    alpha = world.shops["alpha"]
    orgs.delete_organization(session, organization_id=alpha["org"], actor_id=alpha["owner"])
    assert world.counts() == {
        "users": 3,
        "organizations": 1,
        "members": 2,
        "connections": 1,
        "conversations": 1,
        "messages": 3,
    }


def test_deleting_a_connection_removes_its_conversations_and_messages_only(session, cipher):
    world = World(session, cipher)
    alpha = world.shops["alpha"]
    assert conns.conversation_count(session, alpha["connection"]) == 1
    conns.delete_connection(session, alpha["connection"])
    assert world.counts() == {**BEFORE, "connections": 1, "conversations": 1, "messages": 3}


def test_deleting_a_conversation_removes_its_messages_only(session, cipher):
    world = World(session, cipher)
    session.execute(
        text("DELETE FROM conversations WHERE id = :id"),
        {"id": world.shops["beta"]["conversation"]},
    )
    assert world.counts() == {**BEFORE, "conversations": 1, "messages": 3}
