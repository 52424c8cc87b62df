"""Files sent and received with messages, and what each platform accepts.

The bytes of a file live in the team database (``attachments``), so whichever
app of the team holds a connection can send a reply's file, and a file a
customer sent stays viewable after the platform's download link expires.
"""

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from snorq_desktop.domain.enums import ContentType, Platform

MB = 1024 * 1024
# Our own ceiling: files live in the shared database, which stays small enough
# to back up and copy around.  Anything bigger is better sent as a link.
KEEP_AT_MOST = 25 * MB

# What each platform takes, by kind (documented limits of the Cloud API,
# Messenger's Send API and TikTok's Business Messaging API).
_WHATSAPP = {
    ContentType.IMAGE: 5 * MB,
    ContentType.VIDEO: 16 * MB,
    ContentType.AUDIO: 16 * MB,
    ContentType.FILE: 100 * MB,
    ContentType.STICKER: 100 * 1024,
}
_MESSENGER = dict.fromkeys(
    (ContentType.IMAGE, ContentType.VIDEO, ContentType.AUDIO, ContentType.FILE), 25 * MB
)
_TIKTOK = {ContentType.IMAGE: 10 * MB}
LIMITS: dict[Platform, dict[ContentType, int]] = {
    Platform.WHATSAPP: _WHATSAPP,
    Platform.FACEBOOK: _MESSENGER,
    Platform.TIKTOK: _TIKTOK,
}
# WhatsApp shows images only in these formats; anything else goes as a document.
_WHATSAPP_IMAGES = {"image/jpeg", "image/png"}


@dataclass(frozen=True)
class FileToSend:
    name: str
    mime_type: str
    data: bytes
    content_type: ContentType

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class DownloadedFile:
    data: bytes
    mime_type: str
    name: str | None = None


@dataclass(frozen=True)
class MediaToFetch:
    """A customer's file the app has not kept yet."""

    message_id: str
    reference: str  # messages.media_url: a media id (WhatsApp, TikTok) or a URL (Messenger)
    conversation_id: str  # the platform's conversation id
    message_external_id: str | None
    mime_type: str | None
    content_type: ContentType


@dataclass(frozen=True)
class AttachmentInfo:
    """What the thread shows on a file's card."""

    file_name: str
    size: int
    kept: bool  # the bytes are in the database (else why not: ``problem``)
    problem: str | None = None


def guess_mime_type(file_name: str) -> str:
    guessed, _ = mimetypes.guess_type(file_name)
    return guessed or "application/octet-stream"


def content_type_for(platform: Platform, mime_type: str) -> ContentType:
    """How a file of this type is sent on this platform."""
    major = mime_type.split("/", 1)[0]
    if major == "image":
        if platform is Platform.WHATSAPP and mime_type == "image/webp":
            return ContentType.STICKER
        if platform is Platform.WHATSAPP and mime_type not in _WHATSAPP_IMAGES:
            return ContentType.FILE
        return ContentType.IMAGE
    if major == "video":
        return ContentType.VIDEO
    if major == "audio":
        return ContentType.AUDIO
    return ContentType.FILE


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < MB:
        return f"{size / 1024:.0f} KB"
    return f"{size / MB:.1f} MB"


def refusal(platform: Platform, file: FileToSend) -> str | None:
    """Why this file cannot be sent on this platform, in one sentence; None if it can."""
    return refusal_by_size(platform, file.name, file.content_type, file.size)


def refusal_by_size(
    platform: Platform, name: str, content_type: ContentType, size: int
) -> str | None:
    """:func:`refusal` for a file known only by its name, kind and size (not read yet)."""
    platform_name = {
        Platform.WHATSAPP: "WhatsApp",
        Platform.FACEBOOK: "Messenger",
        Platform.TIKTOK: "TikTok",
    }[platform]
    if size == 0:
        return f"“{name}” is empty."
    limit = LIMITS[platform].get(content_type)
    if limit is None:
        return f"{platform_name} accepts only images here; “{name}” is not one."
    if size > limit:
        return (
            f"“{name}” is {human_size(size)}; {platform_name} accepts "
            f"{content_type.value.lower()}s up to {human_size(limit)}."
        )
    if size > KEEP_AT_MOST:
        return (
            f"“{name}” is {human_size(size)}; SNORQ sends files up to "
            f"{human_size(KEEP_AT_MOST)}. Share a link to it instead."
        )
    return None


@dataclass(frozen=True)
class FileCheck:
    """What the preview shows of a chosen file before anything is sent."""

    name: str
    size: int | None  # None: it could not even be looked at
    content_type: ContentType
    refused: str | None  # why it cannot be sent here; None: it can
    caption_apart: bool  # a caption follows as a message of its own
    data: bytes | None = None  # read only when it may be sent (for a thumbnail)


def file_name_for(media: MediaToFetch) -> str:
    """A name for a customer's file, which the platforms rarely give."""
    extension = mimetypes.guess_extension(media.mime_type or "") or ""
    if extension == ".jpe":
        extension = ".jpg"
    stem = {
        ContentType.IMAGE: "photo",
        ContentType.VIDEO: "video",
        ContentType.AUDIO: "voice",
        ContentType.STICKER: "sticker",
    }.get(media.content_type, "file")
    return f"{stem}-{media.message_id[-8:]}{extension}"


def takes_caption(platform: Platform, content_type: ContentType) -> bool:
    """Whether text can travel with a file in one message (WhatsApp images,
    videos and documents); elsewhere the text follows as its own message."""
    return platform is Platform.WHATSAPP and content_type in (
        ContentType.IMAGE,
        ContentType.VIDEO,
        ContentType.FILE,
    )


_UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
# Invisible characters that reorder or hide text: with U+202E (right-to-left
# override) "invoice\u202efdp.exe" shows as "invoiceexe.pdf".  A file's name
# comes from a customer or a teammate, so neither the card nor the viewer's copy
# keeps them.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# A name's longest part in bytes: most file systems take 255; a little is left
# for what a viewer may add (" (1)").
_NAME_BYTES = 240
_EXTENSION_BYTES = 16


def shown_file_name(name: str) -> str:
    """A file's name as the window shows it: in the order its letters are
    stored (no invisible reordering), control characters as "_", never empty."""
    shown = _INVISIBLE.sub("", name)
    return re.sub(r"[\x00-\x1f\x7f]", "_", shown).strip() or "file"


def viewer_copy_path(folder: Path, message_id: str, file_name: str) -> Path:
    """Where a copy of a message's file is written for the system's viewer.

    Both parts come from the database, which a teammate (or anyone holding the
    team's login) can write: the folder is named by a digest of the message id,
    never the id itself, and the file keeps only a cleaned last component of its
    name, so a row with id ``../../..`` or a name like ``../../.bashrc`` still
    lands inside ``folder``."""
    token = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:32]
    name = _UNSAFE_NAME_CHARACTERS.sub("_", PurePosixPath(file_name.replace("\\", "/")).name)
    name = _within_bytes(_INVISIBLE.sub("", name).strip(" .") or "file")
    target = folder / token / name
    if not target.resolve().is_relative_to(folder.resolve()):
        raise ValueError(f"a file copy would leave {folder}")  # cannot happen after cleaning
    return target


def _within_bytes(name: str) -> str:
    """``name`` cut to what a file system takes (bytes, not characters: 200
    letters "é" are 400 bytes), its extension kept so the viewer still knows it."""
    if len(name.encode("utf-8")) <= _NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension.encode("utf-8")) > _EXTENSION_BYTES:
        stem, extension = name, ""
    else:
        extension = "." + extension
    room = _NAME_BYTES - len(extension.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") + extension
