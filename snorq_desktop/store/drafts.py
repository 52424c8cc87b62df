"""Unsent replies, one per conversation and member (table reply_drafts)."""

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from snorq_desktop.domain.drafts import Draft
from snorq_desktop.store.models import Conversation, Message, ReplyDraft


def save_draft(session: Session, organization_id: str, user_id: str, draft: Draft) -> None:
    """Keep ``draft`` (replacing the last one); a blank reply leaves nothing behind.

    The conversation must be the organisation's: another tenant's id writes nothing.
    The message it answers is kept only if it is of that same conversation."""
    mine = select(Conversation.id).where(
        Conversation.id == draft.conversation_id, Conversation.organization_id == organization_id
    )
    if session.scalar(mine) is None:
        return
    if not draft.written and not draft.as_note and draft.reply_to is None:
        session.execute(
            delete(ReplyDraft).where(
                ReplyDraft.conversation_id == draft.conversation_id,
                ReplyDraft.user_id == user_id,
            )
        )
        return
    answers = (
        select(Message.id)
        .where(
            Message.id == draft.reply_to,
            Message.conversation_id == draft.conversation_id,
            Message.organization_id == organization_id,
        )
        .scalar_subquery()
    )
    values = {
        "content": draft.content,
        "as_note": draft.as_note,
        "reply_to_message_id": answers if draft.reply_to is not None else None,
    }
    session.execute(
        insert(ReplyDraft)
        .values(
            conversation_id=draft.conversation_id,
            user_id=user_id,
            organization_id=organization_id,
            **values,
        )
        .on_conflict_do_update(
            index_elements=[ReplyDraft.conversation_id, ReplyDraft.user_id],
            set_={**values, "updated_at": func.now()},
        )
    )


def draft_of(
    session: Session, organization_id: str, user_id: str, conversation_id: str
) -> Draft | None:
    row = session.execute(
        select(ReplyDraft.content, ReplyDraft.as_note, ReplyDraft.reply_to_message_id).where(
            ReplyDraft.organization_id == organization_id,
            ReplyDraft.user_id == user_id,
            ReplyDraft.conversation_id == conversation_id,
        )
    ).first()
    if row is None:
        return None
    return Draft(conversation_id, row.content, row.as_note, row.reply_to_message_id)


def conversations_with_drafts(session: Session, organization_id: str, user_id: str) -> set[str]:
    """The conversations where this member has written something unsent."""
    return set(
        session.scalars(
            select(ReplyDraft.conversation_id).where(
                ReplyDraft.organization_id == organization_id,
                ReplyDraft.user_id == user_id,
                ReplyDraft.content.regexp_match(r"\S"),
            )
        )
    )
