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
    """

    def seal(self, token: SecretToken) -> str: ...

    def open(self, sealed: str) -> SecretToken: ...
