"""The business's own Meta and TikTok apps: ids in clear, secrets sealed.

Like connections, the sealer comes from the caller, so this module never sees
a key and never stores a clear secret.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.tokens import SecretToken, TokenSealer, sealed_place
from snorq_desktop.store.models import Organization, PlatformApp

_SEALED_COLUMNS = ("app_secret", "webhook_verify_token")


def _place(app_row_id: str, column: str) -> str:
    return sealed_place("platform_apps", app_row_id, column)


def _open(
    session: Session, sealer: TokenSealer, app_row_id: str, column: str, sealed: str
) -> SecretToken:
    """The secret, and an older unbound value bound to its row on the way (only
    if it is still the value read, like a connection's token)."""
    place = _place(app_row_id, column)
    secret = sealer.open(sealed, place)
    bound = sealer.bind(sealed, place)
    if bound != sealed:
        session.execute(
            update(PlatformApp)
            .where(PlatformApp.id == app_row_id, getattr(PlatformApp, column) == sealed)
            .values({column: bound})
            .execution_options(synchronize_session=False)
        )
    return secret


class AppProvider(StrEnum):
    META = "META"  # WhatsApp and Messenger
    TIKTOK = "TIKTOK"


@dataclass(frozen=True)
class AppCredentials:
    app_id: str
    app_secret: SecretToken


def _row(session: Session, organization_id: str, provider: AppProvider) -> PlatformApp | None:
    return session.execute(
        select(PlatformApp)
        .where(PlatformApp.organization_id == organization_id, PlatformApp.provider == provider)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _row_or_new(session: Session, organization_id: str, provider: AppProvider) -> PlatformApp:
    if session.get(Organization, organization_id) is None:
        raise NotFound("That organisation no longer exists.")
    row = _row(session, organization_id, provider)
    if row is None:
        # The id is known before the flush: secrets are sealed for this row.
        row = PlatformApp(id=new_id(), organization_id=organization_id, provider=provider.value)
        session.add(row)
    return row


def save_app_credentials(
    session: Session,
    sealer: TokenSealer,
    *,
    organization_id: str,
    provider: AppProvider,
    app_id: str,
    app_secret: SecretToken,
) -> None:
    row = _row_or_new(session, organization_id, provider)
    row.app_id = app_id
    row.app_secret = sealer.seal(app_secret, _place(row.id, "app_secret"))
    session.flush()


def app_credentials(
    session: Session, sealer: TokenSealer, organization_id: str, provider: AppProvider
) -> AppCredentials | None:
    """The app's id and opened secret, or None if none were entered."""
    row = session.execute(
        select(PlatformApp.id, PlatformApp.app_id, PlatformApp.app_secret).where(
            PlatformApp.organization_id == organization_id, PlatformApp.provider == provider
        )
    ).one_or_none()
    if row is None or not row.app_id or row.app_secret is None:
        return None
    return AppCredentials(row.app_id, _open(session, sealer, row.id, "app_secret", row.app_secret))


def app_ids(session: Session, organization_id: str) -> dict[AppProvider, str]:
    """Which apps are set up (their ids; the secrets stay sealed)."""
    rows = session.execute(
        select(PlatformApp.provider, PlatformApp.app_id).where(
            PlatformApp.organization_id == organization_id,
            PlatformApp.app_id.is_not(None),
            PlatformApp.app_secret.is_not(None),
        )
    ).all()
    return {AppProvider(provider): str(app_id) for provider, app_id in rows}


def webhook_verify_token(
    session: Session, sealer: TokenSealer, organization_id: str, fresh: SecretToken
) -> SecretToken:
    """The organisation's Meta webhook verify token: the stored one, else ``fresh``
    (stored now), so it never changes under a dashboard it was pasted into."""
    row = _row_or_new(session, organization_id, AppProvider.META)
    place = _place(row.id, "webhook_verify_token")
    if row.webhook_verify_token is not None:
        token = sealer.open(row.webhook_verify_token, place)
        row.webhook_verify_token = sealer.bind(row.webhook_verify_token, place)  # row locked
        session.flush()
        return token
    row.webhook_verify_token = sealer.seal(fresh, place)
    session.flush()
    return fresh


def reseal_app_secrets(
    session: Session,
    reseal: Callable[[str, str], str],
    organization_ids: Collection[str] | None = None,
) -> None:
    """Key rotation for the organisations' app secrets (see reseal_all_tokens):
    without it a rotation that drops the old key would leave them unreadable."""
    statement = select(PlatformApp).with_for_update()
    if organization_ids is not None:
        statement = statement.where(PlatformApp.organization_id.in_(organization_ids))
    rows = session.execute(statement.execution_options(populate_existing=True)).scalars()
    for row in rows.all():
        for column in _SEALED_COLUMNS:
            sealed = getattr(row, column)
            if sealed is not None:
                setattr(row, column, reseal(sealed, _place(row.id, column)))
