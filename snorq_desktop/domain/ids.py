"""Text ids in the cuid style the seed's ``@default(cuid())`` produces.

25 characters: ``c``, milliseconds since the epoch (8 base-36 digits), a
per-process counter (4), a fingerprint of host and process (4), randomness
(8).  The time prefix keeps new rows near each other in B-tree indexes; the
random tail makes ids from the several apps of one team collide only by
astronomical chance.
"""

import itertools
import os
import secrets
import socket
import threading
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_BLOCK = 36**4
_counter = itertools.count(secrets.randbelow(_BLOCK))
_lock = threading.Lock()


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
    return "".join(reversed(digits))


def _fingerprint() -> str:
    host = sum(socket.gethostname().encode()) + 36
    return _base36(os.getpid() % 1296, 2) + _base36(host % 1296, 2)


def new_id() -> str:
    """A fresh, globally unique id such as ``clx0f3k2a0001ab12xk9z3q1p``."""
    with _lock:
        count = next(_counter) % _BLOCK
    millis = int(time.time() * 1000) % 36**8
    return (
        "c"
        + _base36(millis, 8)
        + _base36(count, 4)
        + _fingerprint()
        + _base36(secrets.randbelow(36**8), 8)
    )


def looks_like_id(value: str) -> bool:
    return len(value) == 25 and value[0] == "c" and all(ch in _ALPHABET for ch in value)
