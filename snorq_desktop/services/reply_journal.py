"""Replies written while the database was out of reach, kept on disk until stored.

A reply is appended here before the first attempt to store it and removed once
the database has it, so neither a dropped connection nor a crash loses it; the
reply's id is made before either, so storing it twice is harmless.
"""

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class JournalledReply:
    message_id: str
    conversation_id: str
    organization_id: str
    sender_id: str
    text: str
    written_at: datetime
    # A file reply: a copy of the file kept beside the journal until stored.
    file_path: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    template: str | None = None  # TemplateToSend JSON

    def to_json(self) -> dict[str, str | None]:
        data = asdict(self)
        data["written_at"] = self.written_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> "JournalledReply":
        written = datetime.fromisoformat(str(data["written_at"]))
        return cls(**{**data, "written_at": written})  # type: ignore[arg-type]


class ReplyJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def replies(self) -> list[JournalledReply]:
        with self._lock:
            return self._read()

    def add(self, reply: JournalledReply) -> None:
        with self._lock:
            replies = [r for r in self._read() if r.message_id != reply.message_id]
            self._write([*replies, reply])

    def remove(self, message_id: str) -> None:
        with self._lock:
            gone = [r for r in self._read() if r.message_id == message_id]
            self._write([r for r in self._read() if r.message_id != message_id])
        for reply in gone:
            if reply.file_path:
                Path(reply.file_path).unlink(missing_ok=True)

    def keep_file(self, message_id: str, data: bytes) -> Path:
        """A copy of a reply's file, written before the reply is journalled."""
        folder = self.path.parent / (self.path.stem + "-files")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / message_id
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return path

    def _read(self) -> list[JournalledReply]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except ValueError:
            # A torn write: keep the file for a person to look at, start afresh.
            self.path.replace(self.path.with_suffix(".damaged"))
            return []
        return [JournalledReply.from_json(item) for item in raw]

    def _write(self, replies: list[JournalledReply]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump([r.to_json() for r in replies], handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)
