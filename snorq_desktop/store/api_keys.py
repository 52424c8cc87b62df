"""API keys in the database (migration 0018): made and revoked through the
definer functions, listed under row-level security (owners and admins), and
checked by the API's login at the start of each request's transaction."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from snorq_desktop.domain.api_keys import ApiCaller, ApiKeyInfo, key_hash, shown_prefix
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import ApiKeyRefused
from snorq_desktop.domain.ids import new_id
from snorq_desktop.store.models import ApiKey, User
from snorq_desktop.store.rules import call_rule


def create_key(
    session: Session,
    *,
    organization_id: str,
    actor_id: str,
    name: str,
    role: MemberRole,
    key: str,
) -> str:
    key_id = new_id()
    call_rule(
        session,
        "SELECT snorq_create_api_key(:actor, :id, :org, :name, :role, :hash, :prefix)",
        actor=actor_id,
        id=key_id,
        org=organization_id,
        name=name,
        role=MemberRole(role).value,
        hash=key_hash(key),
        prefix=shown_prefix(key),
    )
    return key_id


def revoke_key(session: Session, *, organization_id: str, actor_id: str, key: str) -> str:
    """Revoke the key in use with this id or name; returns its name."""
    row = call_rule(
        session,
        "SELECT snorq_revoke_api_key(:actor, :org, :key)",
        actor=actor_id,
        org=organization_id,
        key=key,
    )
    return str(row[0])


def list_keys(session: Session, organization_id: str) -> list[ApiKeyInfo]:
    """Every key of the organisation, in use first, newest first."""
    rows = session.execute(
        select(
            ApiKey.id,
            ApiKey.name,
            ApiKey.key_prefix,
            ApiKey.role,
            func.coalesce(User.name, User.email),
            ApiKey.created_at,
            ApiKey.last_used_at,
            ApiKey.revoked_at,
        )
        .outerjoin(User, User.id == ApiKey.created_by)
        .where(ApiKey.organization_id == organization_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id)
    ).all()
    return [ApiKeyInfo(r[0], r[1], r[2] + "…", r[3], r[4], r[5], r[6], r[7]) for r in rows]


def begin_as_key(session: Session, key: str) -> ApiCaller:
    """The transaction acts for this key from here on (the policies read it), or
    the key is refused (ApiKeyRefused, PlanRefused)."""
    row = call_rule(session, "SELECT * FROM snorq_api_begin(:hash)", hash=key_hash(key))
    if row is None:
        raise ApiKeyRefused("This API key no longer opens anything; make a new one.")
    return ApiCaller(row[0], row[1], MemberRole(row[2]), row[3])
