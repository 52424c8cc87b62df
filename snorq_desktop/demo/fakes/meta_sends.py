"""What the fake Meta checks in a send beyond text and files: the message a
reply answers and the business's reactions, in the Send APIs' own shapes.

- WhatsApp Cloud API: ``"context": {"message_id": "wamid…"}`` beside the
  message; ``"type": "reaction", "reaction": {"message_id", "emoji"}`` ("" takes
  it off).
- Messenger Send API: top-level ``"reply_to": {"mid": "m_…"}``; sender actions
  ``react`` with ``"payload": {"message_id", "reaction"}`` and ``unreact`` with
  ``"payload": {"message_id"}``.

Malformed ones are refused with Graph's error (code 100, or 131009 for a
WhatsApp parameter value), as the real API does, so a client that gets a
field wrong fails here rather than in front of a customer; so is a message id
of another of the account's conversations.  An id the fake never saw passes:
the demo's seeded history is not in the fake's threads.
"""

from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from snorq_desktop.demo.fakes.server import Reply


@dataclass(frozen=True)
class ReactionSent:
    account: str
    person: str
    message_id: str  # the message reacted to
    emoji: str  # "" taken off
    body: dict[str, Any]  # the request as it came


def refused(message: str, code: int = 100) -> Reply:
    return 400, {"error": {"message": message, "type": "OAuthException", "code": code}}, {}


def _emoji(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 16 and not value.isalnum()


def whatsapp_context(body: dict[str, Any], elsewhere: Container[str]) -> Reply | None:
    """A refusal when ``context`` is there but not ``{"message_id": <an id of this chat>}``."""
    if "context" not in body:
        return None
    context = body["context"]
    if not isinstance(context, dict) or not isinstance(context.get("message_id"), str):
        return refused("(#100) Param context must be an object with message_id")
    if context["message_id"] in elsewhere:
        return refused("Parameter value is not valid: context.message_id", 131009)
    return None


def whatsapp_reaction(
    body: dict[str, Any], account: str, elsewhere: Container[str]
) -> ReactionSent | Reply:
    reaction = body.get("reaction")
    if not isinstance(reaction, dict) or not isinstance(reaction.get("message_id"), str):
        return refused("(#100) Param reaction must be an object with message_id")
    emoji = reaction.get("emoji", "")
    if emoji != "" and not _emoji(emoji):
        return refused("Parameter value is not valid: reaction.emoji", 131009)
    if reaction["message_id"] in elsewhere:
        return refused("Parameter value is not valid: reaction.message_id", 131009)
    return ReactionSent(account, str(body.get("to")), reaction["message_id"], emoji, body)


def messenger_reply_to(value: object, elsewhere: Container[str]) -> Reply | None:
    """``reply_to`` (JSON, or a JSON string in a multipart form) must name a mid."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("mid"), str):
        return refused("(#100) Param reply_to must be an object with mid")
    if value["mid"] in elsewhere:
        return refused("(#100) reply_to.mid is not a message of this conversation")
    return None


def messenger_reaction(
    body: dict[str, Any], page: str, person: str, elsewhere: Container[str]
) -> ReactionSent | Reply:
    action = body.get("sender_action")
    payload = body.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("message_id"), str):
        return refused("(#100) Param payload must be an object with message_id")
    emoji = payload.get("reaction")
    if action == "react" and not _emoji(emoji):
        return refused("(#100) Param payload[reaction] must be an emoji")
    if action == "unreact" and emoji is not None:
        return refused("(#100) unreact takes the message_id only")
    if payload["message_id"] in elsewhere:
        return refused("(#100) payload[message_id] is not a message of this conversation")
    return ReactionSent(page, person, payload["message_id"], emoji or "", body)
