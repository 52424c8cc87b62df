"""Platform tokens as values that never show themselves.

A :class:`SecretToken` prints as ``SecretToken('***')`` in reprs, logs and
exception messages; code that really needs the text asks for it with
:meth:`reveal`.
"""

from typing import Protocol


class SecretToken:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("a token cannot be empty")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretToken('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretToken) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("SecretToken", self._value))

    def __reduce__(self) -> str:
        raise TypeError("a SecretToken is not pickled: it would leave the process in clear")


class TokenSealer(Protocol):
    """Turns tokens into what is stored in the database and back.

    The store gets one of these from the composition root, so it never
    knows keys or ciphers (see secrets.cipher).

    Every value is sealed for its place, ``<table>:<row id>:<column>`` (see
    :func:`sealed_place`): a value moved to another row or column does not open.
    """

    def seal(self, token: SecretToken, place: str) -> str: ...

    def open(self, sealed: str, place: str) -> SecretToken: ...

    def bind(self, sealed: str, place: str) -> str:
        """An older value sealed with no place, bound to ``place`` under the same
        key; the same string when it is bound already (so callers write only
        what changed)."""
        ...


def sealed_place(table: str, row_id: str, column: str) -> str:
    """Where a sealed value belongs: its associated data."""
    return f"{table}:{row_id}:{column}"
