"""Invites to join an organisation, with the seed's member rules.

- Only an OWNER or ADMIN invites, and never to a role above their own
  (never OWNER: ownership moves only by a transfer).
- Seats: an invite is made only while members plus pending invites (not used,
  not expired) stay within the plan; the seat is checked again when the invite
  is used, under the organisation's row lock (:func:`organizations.add_member`).
- A code works once and until it expires (the database server's clock), and
  only for the email address it was made for.
- A new invite for an address replaces that address's pending one.

The code's secret is never stored: the caller gives its hash.

Since migration 0013 the database holds these rules: making, cancelling and
using an invite call its SECURITY DEFINER functions (store/rules.py), which
also make and remove the joining member's own database login.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import (
    InviteInvalid,
)
from snorq_desktop.store.models import Invite
from snorq_desktop.store.rules import call_rule
from snorq_desktop.store.users import GoogleProfile


@dataclass(frozen=True)
class PendingInvite:
    id: str
    email: str
    role: MemberRole
    expires_at: datetime


@dataclass(frozen=True)
class RedeemedInvite:
    organization_id: str
    role: MemberRole
    sealed_keys: bytes | None
    user_id: str


def _pending(organization_id: str) -> tuple[ColumnElement[bool], ...]:
    return (
        Invite.organization_id == organization_id,
        Invite.used_at.is_(None),
        Invite.expires_at > func.now(),
    )


def create_invite(
    session: Session,
    *,
    invite_id: str,
    organization_id: str,
    actor_id: str,
    email: str,
    role: MemberRole,
    code_hash: str,
    sealed_keys: bytes | None,
    expires_at: datetime,
    login_verifier: str | None = None,
) -> str | None:
    """The invite, made by the database's snorq_create_invite (roles, seats and
    the replaced pending invite checked there).  With ``login_verifier`` (the
    SCRAM verifier of the code's login password) the database also makes the
    joining member's own login, valid until the invite expires; its name is
    returned, for the code to carry."""
    address = email.strip().lower()
    if "@" not in address:
        raise InviteInvalid(f"'{email}' is not an email address.")
    row = call_rule(
        session,
        'SELECT snorq_create_invite(:actor, :id, :org, :email, CAST(:role AS "MemberRole"), '
        ":code_hash, :sealed, :expires_at, :verifier)",
        actor=actor_id,
        id=invite_id,
        org=organization_id,
        email=address,
        role=role.value,
        code_hash=code_hash,
        sealed=sealed_keys,
        expires_at=expires_at,
        verifier=login_verifier,
    )
    return None if row is None else row[0]


def pending_invites(session: Session, organization_id: str) -> list[PendingInvite]:
    rows = session.execute(
        select(Invite.id, Invite.email, Invite.role, Invite.expires_at)
        .where(*_pending(organization_id))
        .order_by(Invite.created_at)
    ).all()
    return [PendingInvite(*row) for row in rows]


def cancel_invite(session: Session, *, organization_id: str, actor_id: str, invite_id: str) -> None:
    """Managers only; the invite's login, never used, goes with it."""
    call_rule(
        session,
        "SELECT snorq_cancel_invite(:actor, :org, :invite)",
        actor=actor_id,
        org=organization_id,
        invite=invite_id,
    )


def redeem_invite(
    session: Session,
    *,
    code_hash: str,
    user_id: str | None = None,
    profile: GoogleProfile | None = None,
    new_login_verifier: str | None = None,
) -> RedeemedInvite:
    """Makes the user a member as the invite says; the invite is used up and its
    sealed keys are returned (and erased from the row) in the same transaction.

    From the invite's own login (the joining app) the person is ``profile``,
    found or made by the database, and ``new_login_verifier`` becomes that
    login's password.  ``user_id`` names the person when the administrator's
    login uses the invite (the built-in database, tests)."""
    if user_id is None and profile is None:
        raise ValueError("redeem_invite needs the user or their Google profile")
    row = call_rule(
        session,
        "SELECT * FROM snorq_redeem_invite(:code_hash, :user, :email, :google_id, :name, "
        ":avatar, :verifier)",
        code_hash=code_hash,
        user=user_id,
        email=profile.email if profile else None,
        google_id=profile.google_id if profile else None,
        name=profile.name if profile else None,
        avatar=profile.avatar_url if profile else None,
        verifier=new_login_verifier,
    )
    assert row is not None
    return RedeemedInvite(row[0], MemberRole(row[1]), row[2], row[3])
