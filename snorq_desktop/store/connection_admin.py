"""The connections page's reads and writes: list, disconnect (history kept),
and what a delete would take with it."""

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.connections import ConnectionRow, DeletionImpact
from snorq_desktop.domain.enums import ConnectionStatus
from snorq_desktop.domain.errors import NotFound
from snorq_desktop.store.models import Conversation, Message, PlatformConnection

# access_token is NOT NULL in the seed: a disconnected connection keeps an
# empty one, which no cipher opens and the sync engine never reads (it works
# ACTIVE connections only).
NO_TOKEN = ""


def connections_of(session: Session, organization_id: str) -> list[ConnectionRow]:
    rows = session.execute(
        select(PlatformConnection)
        .where(PlatformConnection.organization_id == organization_id)
        .order_by(PlatformConnection.platform, PlatformConnection.created_at)
    ).scalars()
    return [
        ConnectionRow(
            id=row.id,
            platform=row.platform,
            account_name=row.platform_display_name or row.platform_username or row.platform_user_id,
            platform_user_id=row.platform_user_id,
            status=row.status,
            last_sync_at=row.last_sync_at,
            error_message=row.error_message,
        )
        for row in rows
    ]


def _require(session: Session, organization_id: str, connection_id: str) -> None:
    found = session.execute(
        select(PlatformConnection.id)
        .where(
            PlatformConnection.id == connection_id,
            PlatformConnection.organization_id == organization_id,
        )
        .with_for_update()
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("That platform connection no longer exists.")


def disconnect(session: Session, organization_id: str, connection_id: str) -> None:
    """Stop using a connection but keep its conversations: tokens dropped, DISCONNECTED."""
    _require(session, organization_id, connection_id)
    session.execute(
        update(PlatformConnection)
        .where(PlatformConnection.id == connection_id)
        .values(
            status=ConnectionStatus.DISCONNECTED,
            access_token=NO_TOKEN,
            refresh_token=None,
            token_expires_at=None,
            error_message=None,
        )
    )


def conversations_of(session: Session, organization_id: str, connection_id: str) -> frozenset[str]:
    """The ids of the connection's conversations (what deleting it takes along)."""
    return frozenset(
        session.scalars(
            select(Conversation.id).where(
                Conversation.organization_id == organization_id,
                Conversation.platform_connection_id == connection_id,
            )
        )
    )


def deletion_impact(session: Session, organization_id: str, connection_id: str) -> DeletionImpact:
    _require(session, organization_id, connection_id)
    conversations = session.execute(
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.platform_connection_id == connection_id)
    ).scalar_one()
    messages = session.execute(
        select(func.count())
        .select_from(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.platform_connection_id == connection_id,
            Message.organization_id == organization_id,
        )
    ).scalar_one()
    return DeletionImpact(conversations, messages)
