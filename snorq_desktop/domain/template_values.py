"""Quick replies as a WhatsApp template's values (#17.1): the team's saved
answers, filled for the conversation, offered in the template picker where
they fit a value.

Meta refuses a template value holding a new line, a tab or more than four
spaces in a row (error 132018), so only answers without them are offered;
and a value is a few words in someone else's sentence, so long answers
(over ``MAX_TEMPLATE_VALUE`` characters) are left out.
"""

import re
from collections.abc import Iterable

from snorq_desktop.domain.quick_replies import QuickReply, fill

MAX_TEMPLATE_VALUE = 200
_REFUSED = re.compile(r"[\n\r\t]| {5,}")


def fits_template_value(text: str) -> bool:
    return bool(text.strip()) and len(text) <= MAX_TEMPLATE_VALUE and not _REFUSED.search(text)


def template_values(
    replies: Iterable[QuickReply], contact_name: str | None
) -> list[tuple[str, str]]:
    """("/shortcut", the filled text) of each quick reply that fits a value."""
    found = []
    for reply in replies:
        filled = fill(reply.text, contact_name).strip()
        if fits_template_value(filled):
            found.append((reply.typed, filled))
    return found
