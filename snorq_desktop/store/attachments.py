"""The bytes of files sent and received, kept in the team database."""

import hashlib
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from snorq_desktop.domain.attachments import DownloadedFile, FileToSend, MediaToFetch
from snorq_desktop.domain.enums import ContentType, MessageDirection
from snorq_desktop.store.models import Attachment, Conversation, Message

# WhatsApp keeps a customer's media for 30 days; older links are dead anyway.
FETCH_WITHIN = timedelta(days=30)


def keep_outgoing(session: Session, message_id: str, file: FileToSend) -> None:
    session.execute(
        insert(Attachment)
        .values(
            message_id=message_id,
            file_name=file.name,
            mime_type=file.mime_type,
            size_bytes=file.size,
            sha256=hashlib.sha256(file.data).hexdigest(),
            content=file.data,
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
    )


def file_to_send(session: Session, message_id: str) -> FileToSend | None:
    row = session.execute(
        select(Attachment.file_name, Attachment.mime_type, Attachment.content, Message.content_type)
        .join(Message, Message.id == Attachment.message_id)
        .where(Attachment.message_id == message_id, Attachment.content.isnot(None))
    ).one_or_none()
    if row is None:
        return None
    return FileToSend(row.file_name, row.mime_type, bytes(row.content), row.content_type)


def media_to_fetch(
    session: Session, organization_id: str, connection_id: str, limit: int = 20
) -> list[MediaToFetch]:
    """Customers' files of this connection that are not kept yet, newest first."""
    rows = session.execute(
        select(
            Message.id,
            Message.media_url,
            Conversation.external_id,
            Message.external_id,
            Message.media_type,
            Message.content_type,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(Attachment, Attachment.message_id == Message.id)
        .where(
            Conversation.organization_id == organization_id,
            Message.organization_id == organization_id,
            Conversation.platform_connection_id == connection_id,
            Message.direction == MessageDirection.INBOUND,
            Message.content_type.notin_([ContentType.TEXT, ContentType.LOCATION]),
            Message.media_url.isnot(None),
            Message.created_at > func.now() - FETCH_WITHIN,
            Attachment.message_id.is_(None),
        )
        .order_by(Message.created_at.desc())
        .limit(limit)
    ).all()
    return [MediaToFetch(r[0], r[1] or "", r[2], r[3], r[4], r[5]) for r in rows]


def keep_downloaded(
    session: Session, media: MediaToFetch, file: DownloadedFile, file_name: str
) -> None:
    session.execute(
        insert(Attachment)
        .values(
            message_id=media.message_id,
            file_name=file_name,
            mime_type=file.mime_type,
            size_bytes=len(file.data),
            sha256=hashlib.sha256(file.data).hexdigest(),
            content=file.data,
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
    )


def note_unavailable(
    session: Session, media: MediaToFetch, file_name: str, problem: str, size: int | None
) -> None:
    """A file that will not come (too large, gone): say why once, stop asking."""
    session.execute(
        insert(Attachment)
        .values(
            message_id=media.message_id,
            file_name=file_name,
            mime_type=media.mime_type or "application/octet-stream",
            size_bytes=size or 0,
            content=None,
            problem=problem,
        )
        .on_conflict_do_nothing(index_elements=["message_id"])
    )


def saved_file(
    session: Session, organization_id: str, message_id: str
) -> tuple[str, str, bytes] | None:
    """(file name, MIME type, bytes) of a message's kept file."""
    row = session.execute(
        select(Attachment.file_name, Attachment.mime_type, Attachment.content)
        .join(Message, Message.id == Attachment.message_id)
        .where(
            Message.organization_id == organization_id,
            Attachment.message_id == message_id,
            Attachment.content.isnot(None),
        )
    ).one_or_none()
    if row is None or row[2] is None:
        return None
    return row[0], row[1], bytes(row[2])


def conversations_of(session: Session, message_ids: frozenset[str]) -> frozenset[str]:
    rows = session.execute(
        select(Message.conversation_id).where(Message.id.in_(message_ids)).distinct()
    ).scalars()
    return frozenset(rows)
