"""Platform connections: one per platform per organisation, tokens always sealed.

The sealer comes from the caller (secrets.cipher.TokenCipher in the app), so
this module never sees a key and never stores a clear token.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.errors import NotFound, PlatformAlreadyConnected
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import PLATFORM_NAMES
from snorq_desktop.domain.tokens import SecretToken, TokenSealer, sealed_place
from snorq_desktop.store.models import Conversation, Organization, PlatformConnection
from snorq_desktop.store.platform_apps import (
    AppCredentials,
    AppProvider,
    app_credentials,
    reseal_app_secrets,
)

_TOKEN_COLUMNS = ("access_token", "refresh_token")


def token_place(connection_id: str, column: str) -> str:
    """What a connection's token is sealed for: a value moved to another
    connection, or from one column to the other, does not open."""
    return sealed_place("platform_connections", connection_id, column)


def _open_token(
    session: Session, sealer: TokenSealer, connection_id: str, column: str, sealed: str
) -> SecretToken:
    """The token, and an older unbound value bound to its row on the way.

    The upgrade writes only if the value is still the one read (compare and
    swap), so it never undoes a refresh another app committed meanwhile.  Every
    member's login may write its organisations' tokens (0013's connections_sync
    policy), so whoever opens a token first upgrades it."""
    place = token_place(connection_id, column)
    token = sealer.open(sealed, place)
    bound = sealer.bind(sealed, place)
    if bound != sealed:
        stored = getattr(PlatformConnection, column)
        session.execute(
            update(PlatformConnection)
            .where(PlatformConnection.id == connection_id, stored == sealed)
            .values({column: bound})
            .execution_options(synchronize_session=False)
        )
    return token


@dataclass(frozen=True)
class PlatformAccount:
    platform: Platform
    platform_user_id: str  # page id, WhatsApp phone number id, TikTok business id
    access_token: SecretToken
    refresh_token: SecretToken | None = None
    token_expires_at: datetime | None = None
    username: str | None = None
    display_name: str | None = None
    # WhatsApp: the WhatsApp Business Account the phone number belongs to (its
    # approved templates live there).
    business_account_id: str | None = None


def connect_platform(
    session: Session, sealer: TokenSealer, *, organization_id: str, account: PlatformAccount
) -> str:
    """Connect ``account``; reconnecting the same account replaces its tokens.

    A second account on a platform the organisation already uses is refused.
    """
    locked = session.execute(
        select(Organization.id).where(Organization.id == organization_id).with_for_update()
    ).scalar_one_or_none()
    if locked is None:
        raise NotFound("That organisation no longer exists.")
    existing = (
        session.execute(
            select(PlatformConnection)
            .where(
                PlatformConnection.organization_id == organization_id,
                PlatformConnection.platform == account.platform,
            )
            .execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )
    same = next((c for c in existing if c.platform_user_id == account.platform_user_id), None)
    if same is None and existing:
        other = existing[0]
        name = other.platform_username or other.platform_display_name or other.platform_user_id
        raise PlatformAlreadyConnected(
            f"This organisation is already connected to {PLATFORM_NAMES[account.platform]} "
            f"as {name}. Delete that connection before connecting another account."
        )
    connection = same or PlatformConnection(
        id=new_id(),  # known before the flush: the tokens are sealed for this row
        organization_id=organization_id,
        platform=account.platform,
        platform_user_id=account.platform_user_id,
    )
    connection.access_token = sealer.seal(
        account.access_token, token_place(connection.id, "access_token")
    )
    connection.refresh_token = (
        sealer.seal(account.refresh_token, token_place(connection.id, "refresh_token"))
        if account.refresh_token is not None
        else None
    )
    connection.token_expires_at = account.token_expires_at
    connection.platform_username = account.username or connection.platform_username
    connection.platform_display_name = account.display_name or connection.platform_display_name
    connection.business_account_id = account.business_account_id or connection.business_account_id
    connection.status = ConnectionStatus.ACTIVE
    connection.error_message = None
    try:
        with session.begin_nested():
            session.add(connection)
            session.flush()
    except IntegrityError as error:
        if "platform_connections_platform_account_key" not in str(error.orig):
            raise
        # Another organisation of this database has it (a member's login cannot
        # even see that row): its webhooks must reach exactly one shop.
        raise PlatformAlreadyConnected(
            f"This {PLATFORM_NAMES[account.platform]} account is already connected by another "
            "organisation in this team database; an account can belong to one organisation "
            "only. Disconnect it there first."
        ) from None
    return connection.id


def read_tokens(
    session: Session, sealer: TokenSealer, connection_id: str, organization_id: str | None = None
) -> tuple[SecretToken, SecretToken | None]:
    """``organization_id``: the connection's, when known (the sync engine), so the
    statement names its shop (docs/scale-out.md)."""
    query = select(PlatformConnection.access_token, PlatformConnection.refresh_token).where(
        PlatformConnection.id == connection_id
    )
    if organization_id is not None:
        query = query.where(PlatformConnection.organization_id == organization_id)
    row = session.execute(query).one_or_none()
    if row is None:
        raise NotFound("That platform connection no longer exists.")
    access, refresh = row
    return (
        _open_token(session, sealer, connection_id, "access_token", access),
        (
            _open_token(session, sealer, connection_id, "refresh_token", refresh)
            if refresh is not None
            else None
        ),
    )


@dataclass(frozen=True)
class FreshTokens:
    """What a platform answered to a token refresh."""

    access_token: SecretToken
    refresh_token: SecretToken | None
    expires_in: int | None  # seconds


def refresh_tokens_once(
    session: Session,
    sealer: TokenSealer,
    connection_id: str,
    organization_id: str,
    *,
    now: datetime,
    margin: timedelta,
    refresh: Callable[[SecretToken, AppCredentials | None], FreshTokens],
) -> SecretToken | None:
    """The access token to use, refreshed first if it expires within ``margin``;
    None if the connection has no refresh token.

    TikTok refresh tokens work once: every app of the team takes the
    connection's row lock, re-reads the tokens, and refreshes only if nobody
    did meanwhile (compare and swap), so a refresh token is never used twice.
    ``refresh`` asks the platform while the row stays locked."""
    row = session.execute(
        select(
            PlatformConnection.token_expires_at,
            PlatformConnection.refresh_token,
            PlatformConnection.access_token,
        )
        .where(
            PlatformConnection.id == connection_id,
            PlatformConnection.organization_id == organization_id,
        )
        .with_for_update()
    ).one()
    expires_at, sealed_refresh, sealed_access = row
    if sealed_refresh is None:
        return None
    if expires_at is not None and expires_at > now + margin:
        # Not due, or another app refreshed while we waited for the lock:
        # the token stored now is the one to use.
        return _open_token(session, sealer, connection_id, "access_token", sealed_access)
    # The organisation's own TikTok app, when entered on the connections page.
    app = app_credentials(session, sealer, organization_id, AppProvider.TIKTOK)
    refresh_place = token_place(connection_id, "refresh_token")
    grant = refresh(sealer.open(sealed_refresh, refresh_place), app)
    session.execute(
        update(PlatformConnection)
        .where(
            PlatformConnection.id == connection_id,
            PlatformConnection.organization_id == organization_id,
        )
        .values(
            access_token=sealer.seal(
                grant.access_token, token_place(connection_id, "access_token")
            ),
            refresh_token=(
                sealer.seal(grant.refresh_token, refresh_place)
                if grant.refresh_token
                else sealer.bind(sealed_refresh, refresh_place)
            ),
            token_expires_at=now + timedelta(seconds=grant.expires_in or 86_400),
        )
    )
    return grant.access_token


def conversation_count(session: Session, connection_id: str) -> int:
    """How many conversations go with a connection if it is deleted."""
    return session.execute(
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.platform_connection_id == connection_id)
    ).scalar_one()


def delete_connection(session: Session, connection_id: str) -> None:
    """The connection and, by the seed's cascade, its conversations and their messages."""
    session.execute(delete(PlatformConnection).where(PlatformConnection.id == connection_id))


def reseal_all_tokens(
    session: Session,
    reseal: Callable[[str, str], str],
    organization_ids: Collection[str] | None = None,
) -> int:
    """Rewrite every stored token through ``reseal(value, place)`` (key rotation:
    the new key, bound to its row; an older unbound value gets bound too) in
    the caller's transaction; rows are locked so a concurrent token refresh
    waits.  The organisations' own app secrets go the same way.  With
    ``organization_ids``, only those organisations' tokens: another shop's
    tokens in the same database are not ours to touch.  Returns how many
    connections were rewritten."""
    statement = select(PlatformConnection).with_for_update()
    if organization_ids is not None:
        statement = statement.where(PlatformConnection.organization_id.in_(organization_ids))
    connections = (
        session.execute(statement.execution_options(populate_existing=True)).scalars().all()
    )
    for connection in connections:
        for column in _TOKEN_COLUMNS:
            sealed = getattr(connection, column)
            if sealed is not None:
                setattr(connection, column, reseal(sealed, token_place(connection.id, column)))
    reseal_app_secrets(session, reseal, organization_ids)
    session.flush()
    return len(connections)
