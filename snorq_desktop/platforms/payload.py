"""Reading platform JSON defensively: every missing or mistyped field becomes a
MalformedPayload naming where it was, never a KeyError or TypeError."""

import json
from datetime import UTC, datetime
from typing import Any, TypeVar

from snorq_desktop.domain.platform_events import MalformedPayload

T = TypeVar("T")


def load_json(raw: bytes | str, what: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedPayload(f"The {what} is not valid JSON ({error}).") from None


def field(data: Any, key: str, kind: type[T], where: str) -> T:
    if not isinstance(data, dict):
        raise MalformedPayload(f"{where} is not an object.")
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise MalformedPayload(f"{where}.{key} is missing or not a {kind.__name__}.")
    return value


def optional(data: Any, key: str, kind: type[T]) -> T | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def items(data: Any, key: str, where: str, *, required: bool = False) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise MalformedPayload(f"{where}.{key} is not a list.")
    return value


def identifier(data: Any, key: str, where: str) -> str:
    """Ids come as strings or, now and then, as numbers: accept both."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise MalformedPayload(f"{where}.{key} is missing or not an id.")
    return str(value)


def from_unix(value: Any, where: str, *, milliseconds: bool = False) -> datetime:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MalformedPayload(f"{where} is not a time.") from None
    if milliseconds:
        number /= 1000
    if not 0 < number < 32_503_680_000:  # before the year 3000
        raise MalformedPayload(f"{where} is not a plausible time.")
    return datetime.fromtimestamp(number, UTC)
