"""Our reactions to customers' messages, queued on the message itself.

Choosing an emoji (or taking ours off) writes ``messages.reaction_unsent`` and
nothing else: the bubble shows it at once, the conversation's order, preview
and unread count stay as they were.  The outbox hands it to the platform and
moves it into ``reactions`` (under ``business``) once the platform has it.

A reaction is a state, not a message: sending the same one twice leaves the
customer seeing it once, so unlike a reply it needs no claim before the
request; a crash mid-send only means it is sent again.
"""

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from snorq_desktop.domain.errors import NotFound, PermissionDenied
from snorq_desktop.domain.inbox import reply_blocked_reason
from snorq_desktop.domain.message_actions import react_refusal, single_emoji
from snorq_desktop.store.models import Conversation, Message, PlatformConnection


@dataclass(frozen=True)
class OutgoingReaction:
    message_id: str  # the customer's message, our id
    conversation_id: str
    conversation_external_id: str
    contact_id: str
    target_external_id: str  # the customer's message, the platform's id
    emoji: str  # "" takes ours off


def set_my_reaction(session: Session, organization_id: str, message_id: str, emoji: str) -> str:
    """Queue our reaction (``""``: none) on a customer's message; its conversation id.

    Refuses (NotFound / PermissionDenied, writing nothing) what the platform would."""
    if emoji and not single_emoji(emoji):
        raise PermissionDenied("A reaction is one emoji.")
    row = session.execute(
        select(
            Message.conversation_id,
            Message.direction,
            Message.external_id,
            Message.deleted_at.isnot(None),
            Message.reactions,
            Message.reaction_unsent,
            Conversation.platform,
            PlatformConnection.status,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(PlatformConnection, PlatformConnection.id == Conversation.platform_connection_id)
        .where(Message.id == message_id, Message.organization_id == organization_id)
        .with_for_update(of=Message)
    ).one_or_none()
    if row is None:
        raise NotFound("That message no longer exists.")
    conversation_id, direction, external_id, deleted, kept, unsent, platform, status = row
    if reason := reply_blocked_reason(status, platform) or react_refusal(
        platform, direction, external_id, deleted
    ):
        raise PermissionDenied(reason)
    shown = unsent if unsent is not None else (kept or {}).get("business", "")
    if emoji != shown:
        session.execute(
            text(
                "UPDATE messages SET reaction_unsent = :emoji, updated_at = now() "
                "WHERE organization_id = :org AND id = :id"
            ),
            {"emoji": emoji, "id": message_id, "org": organization_id},
        )
    return str(conversation_id)


def pending_reactions(
    session: Session, organization_id: str, connection_id: str
) -> list[OutgoingReaction]:
    rows = session.execute(
        select(
            Message.id,
            Conversation.id,
            Conversation.external_id,
            Conversation.contact_external_id,
            Message.external_id,
            Message.reaction_unsent,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.organization_id == organization_id,
            Conversation.organization_id == organization_id,
            Conversation.platform_connection_id == connection_id,
            Message.reaction_unsent.isnot(None),
            Message.external_id.isnot(None),
        )
        .order_by(Message.updated_at, Message.id)
        .limit(200)
    ).all()
    return [OutgoingReaction(a, b, c, d, e or "", f or "") for a, b, c, d, e, f in rows]


_SETTLE = """
UPDATE messages SET updated_at = now(), reaction_unsent = NULL, reactions = CASE
    WHEN NOT :delivered THEN reactions
    WHEN :emoji = '' THEN NULLIF(COALESCE(reactions, '{}'::jsonb) - 'business', '{}'::jsonb)
    ELSE COALESCE(reactions, '{}'::jsonb) || jsonb_build_object('business', CAST(:emoji AS text))
    END
WHERE organization_id = :org AND id = :id AND reaction_unsent = :emoji
RETURNING conversation_id
"""


def settle_reaction(
    session: Session, organization_id: str, reaction: OutgoingReaction, *, delivered: bool
) -> str | None:
    """The platform took it (kept as ours) or refused it (the bubble goes back to
    what the platform shows).  A newer choice made meanwhile stays queued."""
    found = session.execute(
        text(_SETTLE),
        {
            "delivered": delivered,
            "emoji": reaction.emoji,
            "id": reaction.message_id,
            "org": organization_id,
        },
    ).first()
    return str(found[0]) if found else None
