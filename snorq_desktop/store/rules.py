"""Calling the role rules the database holds (migration 0013's SECURITY DEFINER
functions), and turning their refusals back into the app's errors.

The functions check the caller, the seed's roles, exactly one owner and the
plan's seats, so a member's login cannot break them with a direct UPDATE;
the app calls them instead of writing ``organization_members``, ``invites``
or the plan itself.  Each refusal carries one of our SQLSTATEs and the
sentence to show.
"""

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from snorq_desktop.domain.errors import (
    AlreadyMember,
    ApiKeyRefused,
    InviteInvalid,
    KnownError,
    NotFound,
    OwnershipRuleViolated,
    PermissionDenied,
    PlanRefused,
    SeatLimitReached,
    SlugTaken,
)
from snorq_desktop.domain.licence import LicenceRefused

_REFUSALS: dict[str, type[KnownError]] = {
    "SQ001": PermissionDenied,
    "SQ002": OwnershipRuleViolated,
    "SQ003": SeatLimitReached,
    "SQ004": NotFound,
    "SQ005": InviteInvalid,
    "SQ006": AlreadyMember,
    "SQ007": SlugTaken,
    "SQ008": LicenceRefused,
    "SQ010": ApiKeyRefused,
    "SQ011": PlanRefused,
}


def call_rule(session: Session, statement: str, **params: Any) -> Any:
    """Run one rule function; its first column, or the error it stands for.

    In a savepoint, so a refusal leaves the caller's transaction usable."""
    try:
        with session.begin_nested():
            row = session.execute(text(statement), params).first()
        session.expire_all()  # the function changed rows this session may hold
        return row
    except DBAPIError as error:
        refusal = _REFUSALS.get(getattr(error.orig, "sqlstate", None) or "")
        if refusal is None:
            raise
        diagnostic = getattr(error.orig, "diag", None)
        sentence = getattr(diagnostic, "message_primary", None) or str(error.orig)
        raise refusal(sentence) from None
