"""Labels of an organisation and the conversations they are on.

The tables are the source; the database's triggers (migration 0005) keep
``conversations.labels`` equal to them in the same transaction, so nothing
here writes that array.  Every statement is filtered by organisation, and
applying or removing a label for many conversations is one statement.
"""

from collections.abc import Sequence

from sqlalchemy import and_, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import ConversationStatus
from snorq_desktop.domain.errors import NotFound, PermissionDenied
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.labels import (
    LabelInfo,
    LabelNameTaken,
    clean_colour,
    clean_label_name,
)
from snorq_desktop.store.models import Conversation, ConversationLabel, Label
from snorq_desktop.store.snooze import is_awake

_GONE = "That label no longer exists."


def _taken(name: str) -> LabelNameTaken:
    return LabelNameTaken(f"There is already a label called “{name}”.")


def list_labels(session: Session, organization_id: str) -> list[LabelInfo]:
    """Every label, by name, each with how many conversations its view lists
    (not archived, and awake: the snoozed are in Snoozed until their time), and
    how many have it at all (what deleting it takes it off).

    The join reads each labelled conversation's row for its status already, so
    testing its snooze there costs nothing more; subtracting the snoozed as the
    views' counts do would be a second read for no saving."""
    listed = and_(Conversation.status != ConversationStatus.ARCHIVED, is_awake())
    in_use = (
        select(
            ConversationLabel.label_id,
            func.count().filter(listed).label("listed"),
            func.count().label("carried_by"),
        )
        .join(Conversation, Conversation.id == ConversationLabel.conversation_id)
        .join(Label, Label.id == ConversationLabel.label_id)
        .where(Label.organization_id == organization_id)
        .group_by(ConversationLabel.label_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Label.id,
            Label.name,
            Label.color,
            func.coalesce(in_use.c.listed, 0),
            func.coalesce(in_use.c.carried_by, 0),
        )
        .outerjoin(in_use, in_use.c.label_id == Label.id)
        .where(Label.organization_id == organization_id)
        .order_by(func.lower(Label.name), Label.name)
    )
    return [LabelInfo(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]


def create_label(session: Session, organization_id: str, name: str, color: str) -> str:
    """A new label; refused when the name (whatever its case) is taken.

    ON CONFLICT DO NOTHING covers both unique indexes: of two apps creating
    "VIP" at once, the second waits for the first to commit, then is refused.
    """
    name, color = clean_label_name(name), clean_colour(color)
    label_id = session.execute(
        pg_insert(Label)
        .values(id=new_id(), name=name, color=color, organization_id=organization_id)
        .on_conflict_do_nothing()
        .returning(Label.id)
    ).scalar_one_or_none()
    if label_id is None:
        raise _taken(name)
    return label_id


def find_or_create_label(session: Session, organization_id: str, name: str, color: str) -> str:
    """The label of this name (any case), made if there is none yet."""
    name = clean_label_name(name)
    found = session.execute(
        select(Label.id).where(
            Label.organization_id == organization_id, func.lower(Label.name) == name.lower()
        )
    ).scalar_one_or_none()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            return create_label(session, organization_id, name, color)
    except LabelNameTaken:
        # Made by a teammate a moment ago: use theirs.
        return session.execute(
            select(Label.id).where(
                Label.organization_id == organization_id, func.lower(Label.name) == name.lower()
            )
        ).scalar_one()


def rename_label(session: Session, organization_id: str, label_id: str, name: str) -> None:
    name = clean_label_name(name)
    try:
        with session.begin_nested():
            result = session.execute(
                update(Label)
                .where(Label.organization_id == organization_id, Label.id == label_id)
                .values(name=name)
            )
    except IntegrityError as error:
        if "labels_organization_id_name" in str(error.orig):
            raise _taken(name) from None
        raise
    if not result.rowcount:  # type: ignore[attr-defined]
        _refused_or_gone(session, organization_id, label_id)


def recolour_label(session: Session, organization_id: str, label_id: str, color: str) -> None:
    result = session.execute(
        update(Label)
        .where(Label.organization_id == organization_id, Label.id == label_id)
        .values(color=clean_colour(color))
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        _refused_or_gone(session, organization_id, label_id)


def delete_label(session: Session, organization_id: str, label_id: str) -> list[str]:
    """Deletes the label (its links go with it); returns the conversations that had it."""
    had_it = list(
        session.execute(
            select(ConversationLabel.conversation_id)
            .join(Label, Label.id == ConversationLabel.label_id)
            .where(Label.organization_id == organization_id, ConversationLabel.label_id == label_id)
        ).scalars()
    )
    result = session.execute(
        delete(Label).where(Label.organization_id == organization_id, Label.id == label_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        _refused_or_gone(session, organization_id, label_id)
    return had_it


def _refused_or_gone(session: Session, organization_id: str, label_id: str) -> None:
    """Why a label was not changed.  Row-level security lets only an owner or
    admin rename, recolour or delete one (0013): to a MEMBER's login the label is
    there but the change touches no row, which is not "no longer exists"."""
    _require_label(session, organization_id, label_id)
    raise PermissionDenied(_MANAGERS_ONLY)


_MANAGERS_ONLY = "Only the organisation's owner or an admin can rename, recolour or delete a label."


def _require_label(session: Session, organization_id: str, label_id: str) -> None:
    """The label exists (else a sentence).  No row lock: locking a row needs the
    UPDATE policy, which lets only an admin touch labels (0013), so a member's
    login would not find it.  The link's foreign key keeps the label from
    going under us: its check takes KEY SHARE on the label as the owner role,
    so a teammate deleting it at the same moment waits, then takes our links
    with it (or our insert meets the deletion: see apply_label)."""
    found = session.execute(
        select(Label.id).where(Label.organization_id == organization_id, Label.id == label_id)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(_GONE)


def apply_label(
    session: Session, organization_id: str, label_id: str, conversation_ids: Sequence[str]
) -> list[str]:
    """Puts the label on these conversations (of this organisation) in one statement;
    returns those that did not have it yet."""
    _require_label(session, organization_id, label_id)
    if not conversation_ids:
        return []
    chosen = select(Conversation.id, literal(label_id)).where(
        Conversation.organization_id == organization_id,
        Conversation.id.in_(list(conversation_ids)),
    )
    try:
        with session.begin_nested():
            added = session.execute(
                pg_insert(ConversationLabel)
                .from_select(["conversation_id", "label_id"], chosen)
                .on_conflict_do_nothing()
                .returning(ConversationLabel.conversation_id)
            ).scalars()
            return list(added)
    except IntegrityError as error:
        if "conversation_labels_label_id_fkey" not in str(error.orig):
            raise
        raise NotFound(_GONE) from None  # deleted by a teammate since we looked


def remove_label(
    session: Session, organization_id: str, label_id: str, conversation_ids: Sequence[str]
) -> list[str]:
    """Takes the label off these conversations; returns those that had it."""
    _require_label(session, organization_id, label_id)
    if not conversation_ids:
        return []
    removed = session.execute(
        delete(ConversationLabel)
        .where(
            ConversationLabel.label_id == label_id,
            ConversationLabel.conversation_id.in_(
                select(Conversation.id).where(
                    Conversation.organization_id == organization_id,
                    Conversation.id.in_(list(conversation_ids)),
                )
            ),
        )
        .returning(ConversationLabel.conversation_id)
    ).scalars()
    return list(removed)


def labels_of(session: Session, organization_id: str, conversation_id: str) -> list[LabelInfo]:
    rows = session.execute(
        select(Label.id, Label.name, Label.color)
        .join(
            ConversationLabel,
            and_(
                ConversationLabel.label_id == Label.id,
                ConversationLabel.conversation_id == conversation_id,
            ),
        )
        .where(Label.organization_id == organization_id)
        .order_by(func.lower(Label.name), Label.name)
    )
    return [LabelInfo(r[0], r[1], r[2]) for r in rows]
