"""Files on the fake platforms: multipart uploads as the real APIs take them,
and a store the download links point into."""

import email.parser
import email.policy
import hashlib
import itertools
from dataclasses import dataclass
from typing import Any

from snorq_desktop.demo.fakes.server import Request

_counter = itertools.count(1)


@dataclass(frozen=True)
class StoredFile:
    id: str
    owner: str  # the account that uploaded it, or that it was sent to
    name: str
    mime_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class FileStore:
    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self.files: dict[str, StoredFile] = {}

    def put(self, owner: str, name: str, mime_type: str, data: bytes) -> StoredFile:
        stored = StoredFile(f"{self._prefix}{next(_counter)}", owner, name, mime_type, data)
        self.files[stored.id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self.files.get(file_id)


def multipart(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """(fields, files) of a multipart/form-data body; ({}, {}) when it is not one."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data") or not isinstance(request.body, bytes):
        return {}, {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
    )
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload: Any = part.get_payload(decode=True) or b""
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, part.get_content_type(), bytes(payload))
        else:
            fields[name] = bytes(payload).decode()
    return fields, files


def file_reply(stored: StoredFile) -> tuple[int, bytes, dict[str, str]]:
    return 200, stored.data, {"Content-Type": stored.mime_type}
