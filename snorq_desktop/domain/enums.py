"""The seed's eight enums.  Values are the seed's labels, stored as they are."""

from enum import StrEnum


class Platform(StrEnum):
    TIKTOK = "TIKTOK"
    WHATSAPP = "WHATSAPP"
    FACEBOOK = "FACEBOOK"


class PlanType(StrEnum):
    FREE = "FREE"
    PRO = "PRO"
    BUSINESS = "BUSINESS"


class MemberRole(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class ConnectionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    ERROR = "ERROR"
    DISCONNECTED = "DISCONNECTED"


class ConversationStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    ARCHIVED = "ARCHIVED"


class MessageDirection(StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class ContentType(StrEnum):
    TEXT = "TEXT"
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    AUDIO = "AUDIO"
    FILE = "FILE"
    STICKER = "STICKER"
    LOCATION = "LOCATION"


class MessageStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    READ = "READ"
    FAILED = "FAILED"


# The PostgreSQL type name of each enum is the seed's (quoted, mixed case).
SEED_ENUMS: tuple[type[StrEnum], ...] = (
    Platform,
    PlanType,
    MemberRole,
    ConnectionStatus,
    ConversationStatus,
    MessageDirection,
    ContentType,
    MessageStatus,
)
