"""What can go wrong talking to a platform, sorted by what to do about it."""

from snorq_desktop.domain.errors import KnownError


class PlatformError(KnownError):
    """A platform refused or failed a request; ``sentence`` is its reason in words."""

    def __init__(self, sentence: str, *, code: int | None = None) -> None:
        super().__init__(sentence)
        self.code = code


class RateLimited(PlatformError):
    """Too many requests: wait ``retry_after`` seconds (when the platform said)."""

    def __init__(self, sentence: str, *, code: int | None = None, retry_after: float | None = None):
        super().__init__(sentence, code=code)
        self.retry_after = retry_after


class TokenExpired(PlatformError):
    """The access token is invalid or expired: the connection needs the user."""


class PermanentFailure(PlatformError):
    """The platform will never accept this request as it is (outside the
    messaging window, person unavailable, blocked): do not retry."""


class TemporaryFailure(PlatformError):
    """A server error, a timeout, an unreadable answer: try again later."""
