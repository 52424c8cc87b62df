"""Internal notes on conversations: written by a member, changed only by their author.

Notes live in their own table and never become messages, so the outbox
(which reads only ``messages``) can never send one to a customer.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from snorq_desktop.domain.errors import NotFound, PermissionDenied
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.notes import ThreadNote, clean_note
from snorq_desktop.store.models import Conversation, Note, Organization, OrganizationMember, User

_GONE = "That note no longer exists."
_NOT_YOURS = "Only the teammate who wrote a note can change or delete it."


def _in_organization(organization_id: str) -> ColumnElement[bool]:
    return Note.organization_id == organization_id


def add_note(
    session: Session, organization_id: str, conversation_id: str, author_id: str, content: str
) -> ThreadNote:
    content = clean_note(content)
    found = session.execute(
        select(Conversation.id).where(
            Conversation.organization_id == organization_id, Conversation.id == conversation_id
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("That conversation no longer exists.")
    author = session.execute(
        select(func.coalesce(User.name, User.email)).where(
            User.id == author_id,
            or_(
                exists().where(
                    OrganizationMember.organization_id == organization_id,
                    OrganizationMember.user_id == author_id,
                ),
                exists().where(
                    Organization.id == organization_id, Organization.owner_id == author_id
                ),
            ),
        )
    ).scalar_one_or_none()
    if author is None:
        raise PermissionDenied("Only members of this organisation can write notes here.")
    note_id = new_id()
    written_at = session.execute(
        insert(Note)
        .values(
            id=note_id,
            organization_id=organization_id,
            content=content,
            conversation_id=conversation_id,
            author_id=author_id,
            # The server's clock when written (not when the transaction began):
            # every app of the team orders notes among messages alike.
            created_at=func.clock_timestamp(),
        )
        .returning(Note.created_at)
    ).scalar_one()
    return ThreadNote(note_id, content, author_id, author, written_at)


def _require_author(session: Session, organization_id: str, note_id: str, author_id: str) -> None:
    written_by = session.execute(
        select(Note.author_id)
        .where(Note.id == note_id, _in_organization(organization_id))
        .with_for_update()
    ).scalar_one_or_none()
    if written_by is None:
        raise NotFound(_GONE)
    if written_by != author_id:
        raise PermissionDenied(_NOT_YOURS)


def edit_note(
    session: Session, organization_id: str, note_id: str, author_id: str, content: str
) -> str:
    """Changes the text; returns the note's conversation id."""
    content = clean_note(content)
    _require_author(session, organization_id, note_id, author_id)
    return session.execute(
        update(Note)
        .where(Note.id == note_id, _in_organization(organization_id))
        .values(content=content)
        .returning(Note.conversation_id)
    ).scalar_one()


def delete_note(session: Session, organization_id: str, note_id: str, author_id: str) -> str:
    """Deletes it; returns the note's conversation id."""
    _require_author(session, organization_id, note_id, author_id)
    return session.execute(
        delete(Note)
        .where(Note.id == note_id, _in_organization(organization_id))
        .returning(Note.conversation_id)
    ).scalar_one()


def thread_notes(
    session: Session,
    organization_id: str,
    conversation_id: str,
    *,
    since: datetime | None = None,
) -> list[ThreadNote]:
    """The conversation's notes written at or after ``since`` (all when None), oldest first."""
    statement = (
        select(
            Note.id,
            Note.content,
            Note.author_id,
            func.coalesce(User.name, User.email),
            Note.created_at,
        )
        .join(User, User.id == Note.author_id)
        .where(Note.organization_id == organization_id, Note.conversation_id == conversation_id)
        .order_by(Note.created_at, Note.id)
    )
    if since is not None:
        statement = statement.where(Note.created_at >= since)
    return [ThreadNote(r[0], r[1], r[2], r[3], r[4]) for r in session.execute(statement)]
