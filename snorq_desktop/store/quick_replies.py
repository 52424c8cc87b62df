"""The team's quick replies (migration 0020).  Every statement is filtered by
organisation; a shortcut is unique there whatever its case, also when two
apps add the same one at once (the unique index decides, and the loser gets
the sentence)."""

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from snorq_desktop.domain.errors import NotFound
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.quick_replies import (
    QuickReply,
    QuickReplyRefused,
    clean_shortcut,
    clean_text,
)
from snorq_desktop.store.team_models import QuickReply as QuickReplyRow

_GONE = "That quick reply no longer exists: a teammate may have deleted it."
_UNIQUE = "quick_replies_organization_id_shortcut_key"


def _taken(shortcut: str) -> QuickReplyRefused:
    return QuickReplyRefused(f"There is already a quick reply /{shortcut}: pick it to change it.")


def list_quick_replies(session: Session, organization_id: str) -> list[QuickReply]:
    """Every quick reply of the organisation, by shortcut."""
    rows = session.execute(
        select(QuickReplyRow.id, QuickReplyRow.shortcut, QuickReplyRow.text)
        .where(QuickReplyRow.organization_id == organization_id)
        .order_by(func.lower(QuickReplyRow.shortcut), QuickReplyRow.shortcut)
    )
    return [QuickReply(r[0], r[1], r[2]) for r in rows]


def add_quick_reply(
    session: Session, organization_id: str, shortcut: str, text: str, created_by: str
) -> str:
    shortcut, text = clean_shortcut(shortcut), clean_text(text)
    added = session.execute(
        pg_insert(QuickReplyRow)
        .values(
            id=new_id(),
            organization_id=organization_id,
            shortcut=shortcut,
            text=text,
            created_by=created_by,
        )
        .on_conflict_do_nothing()
        .returning(QuickReplyRow.id)
    ).scalar_one_or_none()
    if added is None:
        raise _taken(shortcut)
    return added


def change_quick_reply(
    session: Session, organization_id: str, quick_reply_id: str, shortcut: str, text: str
) -> None:
    shortcut, text = clean_shortcut(shortcut), clean_text(text)
    try:
        with session.begin_nested():
            result = session.execute(
                update(QuickReplyRow)
                .where(
                    QuickReplyRow.organization_id == organization_id,
                    QuickReplyRow.id == quick_reply_id,
                )
                .values(shortcut=shortcut, text=text, updated_at=func.now())
            )
    except IntegrityError as error:
        if _UNIQUE in str(error.orig):
            raise _taken(shortcut) from None
        raise
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(_GONE)


def delete_quick_reply(session: Session, organization_id: str, quick_reply_id: str) -> None:
    result = session.execute(
        delete(QuickReplyRow).where(
            QuickReplyRow.organization_id == organization_id, QuickReplyRow.id == quick_reply_id
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(_GONE)
