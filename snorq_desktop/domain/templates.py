"""WhatsApp message templates: the only thing a business may send more than
24 hours after the customer's last message.  Meta approves each template;
the app fills in its body's numbered placeholders ({{1}}, {{2}} …)."""

import json
import re
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    language: str  # e.g. "en_US"
    category: str  # UTILITY, MARKETING, AUTHENTICATION
    body: str  # with {{1}} … placeholders

    @property
    def parameter_count(self) -> int:
        numbers = {int(n) for n in _PLACEHOLDER.findall(self.body)}
        return max(numbers, default=0)

    def render(self, parameters: tuple[str, ...]) -> str:
        """The body as the customer will read it."""

        def fill(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            return parameters[index] if 0 <= index < len(parameters) else match.group(0)

        return _PLACEHOLDER.sub(fill, self.body)

    def missing(self, parameters: tuple[str, ...]) -> str | None:
        """Why these values cannot be sent, in one sentence; None when complete."""
        for number in range(1, self.parameter_count + 1):
            if number > len(parameters) or not parameters[number - 1].strip():
                return f"Fill in value {number} of the template “{self.name}”."
        return None


@dataclass(frozen=True)
class TemplateToSend:
    """What the outbox sends: stored with the reply (messages.template)."""

    name: str
    language: str
    parameters: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps(
            {"name": self.name, "language": self.language, "parameters": list(self.parameters)}
        )

    @classmethod
    def from_json(cls, raw: str) -> "TemplateToSend":
        data = json.loads(raw)
        return cls(str(data["name"]), str(data["language"]), tuple(map(str, data["parameters"])))
