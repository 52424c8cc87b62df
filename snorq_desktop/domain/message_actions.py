"""Answering one message and reacting to it: what each platform allows.

The window greys out a menu entry with the sentence returned here, and the
store refuses the same things, so a reply or a reaction the platform would
refuse is never queued.  TikTok's Business Messaging API sends no quote
(its send endpoint has no field for one) and no reactions.
"""

from snorq_desktop.domain.enums import MessageDirection, Platform
from snorq_desktop.domain.inbox import PLATFORM_NAMES, ThreadMessage

# A short choice, as WhatsApp and Messenger offer first; either takes any emoji.
REACTION_CHOICES = ("👍", "❤️", "😂", "😮", "😢", "🙏")

_QUOTES = frozenset({Platform.WHATSAPP, Platform.FACEBOOK})
_REACTS = frozenset({Platform.WHATSAPP, Platform.FACEBOOK})


def quote_refusal(platform: Platform, platform_id: str | None, deleted: bool) -> str | None:
    """Why a message cannot be answered with a quote, or None."""
    if platform not in _QUOTES:
        return f"{PLATFORM_NAMES[platform]} cannot send a reply to a specific message."
    if deleted:
        return "This message was deleted."
    if platform_id is None:
        return "This message has not reached the customer yet."
    return None


def react_refusal(
    platform: Platform, direction: MessageDirection, platform_id: str | None, deleted: bool
) -> str | None:
    """Why we cannot react to a message, or None."""
    if platform not in _REACTS:
        return f"{PLATFORM_NAMES[platform]} does not take reactions from businesses."
    if direction is not MessageDirection.INBOUND:
        return "Only a customer's message takes a reaction."
    if deleted:
        return "This message was deleted."
    if platform_id is None:
        return "This message has no id on the platform."
    return None


def reply_refusal(platform: Platform, message: ThreadMessage) -> str | None:
    return quote_refusal(platform, message.platform_id, message.deleted)


def reaction_refusal(platform: Platform, message: ThreadMessage) -> str | None:
    return react_refusal(platform, message.direction, message.platform_id, message.deleted)


def single_emoji(text: str) -> bool:
    """One emoji (with its modifiers), nothing else: what both platforms take."""
    return 0 < len(text) <= 16 and not any(c.isalnum() or c.isspace() for c in text)
