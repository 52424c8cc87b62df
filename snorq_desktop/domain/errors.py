"""Errors a user can cause or meet, each carrying one sentence to show them.

Anything that is a :class:`KnownError` is an environment or usage problem
(a wrong URL, a full plan, a missing keychain) and is shown as its sentence;
every other exception is a bug and keeps its traceback for the log.
"""


class KnownError(Exception):
    """A problem with a sentence for the user; never a bug."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


# --- database -----------------------------------------------------------------


class DatabaseUnavailable(KnownError):
    """The database cannot be reached or refuses us."""


class InvalidDatabaseUrl(KnownError):
    """The configured database address is not a PostgreSQL URL."""


class SchemaTooNew(KnownError):
    """The database was migrated by a newer SNORQ Desktop than this one."""


class SchemaNotReady(KnownError):
    """The database has not been migrated to this app's schema yet."""


class EmbeddedDatabaseError(KnownError):
    """The private database that ships with the app could not be started."""


# --- organisations and members ----------------------------------------------


class NotFound(KnownError):
    """Something the user named does not exist (any more)."""


class SeatLimitReached(KnownError):
    """Adding a member would exceed what the organisation's plan allows."""


class OwnershipRuleViolated(KnownError):
    """An organisation always has exactly one owner; ownership moves only by transfer."""


class PermissionDenied(KnownError):
    """The acting member's role does not allow this."""


class AlreadyMember(KnownError):
    """The user is already a member of the organisation."""


class SlugTaken(KnownError):
    """Another organisation already uses this address."""


class PlatformAlreadyConnected(KnownError):
    """The organisation already has a connection on this platform."""


# --- secrets ------------------------------------------------------------------


class KeychainUnavailable(KnownError):
    """No system keychain, and the user has not allowed a key file."""


class TokenUnreadable(KnownError):
    """A stored token cannot be decrypted: altered, or sealed with another key."""


class TokenMisplaced(TokenUnreadable):
    """A sealed token was sealed for another connection or column and copied
    where it is now: refused, never read as this connection's token."""


class TokenKeyMissing(TokenUnreadable):
    """A stored token was sealed with a key version this computer does not have:
    a problem of this computer, not of the connection."""


class FileRefused(KnownError):
    """A file (or template) the platform would not take, said before anything is sent."""


# --- signing in and joining a team ---------------------------------------------


class SignInFailed(KnownError):
    """Signing in with Google did not work (refused, forged, expired, unreachable)."""


class SignInCancelled(SignInFailed):
    """The person stopped the sign-in, or never finished it in the browser."""


class InviteInvalid(KnownError):
    """An invite code that is malformed, expired, used, or meant for someone else."""


# --- backups ------------------------------------------------------------------


class BackupFailed(KnownError):
    """A backup or restore could not be done; nothing was changed."""


class RestoreWouldLoseData(KnownError):
    """The database holds newer or more messages than the backup: a restore needs
    the person's confirmation."""


# --- the REST API (#18) -------------------------------------------------------


class PlanRefused(KnownError):
    """The organisation's plan does not include this (API access is BUSINESS only)."""


class ApiKeyRefused(KnownError):
    """An API key that is not known, revoked, or whose maker has left."""
