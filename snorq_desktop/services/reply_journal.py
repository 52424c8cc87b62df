"""Replies written while the database was out of reach, kept on disk until stored.

A reply is appended here before the first attempt to store it and removed once
the database has it, so neither a dropped connection nor a crash loses it; the
reply's id is made before either, so storing it twice is harmless.
"""

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)


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
    reply_to: str | None = None  # the message of its conversation it answers (our id)
    # Not a reply but our reaction (``text``: the emoji, "" none) on this message.
    reaction_to: str | None = None

    def to_json(self) -> dict[str, str | None]:
        data = asdict(self)
        data["written_at"] = self.written_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: object) -> "JournalledReply":
        """One journalled reply, or ValueError when it is not one this version wrote
        (wrong shape, wrong types, or fields a newer version added)."""
        if not isinstance(data, dict):
            raise ValueError("a journal entry is not an object")
        if set(data) - _FIELDS:
            raise ValueError(f"unknown fields {sorted(set(data) - _FIELDS)}")
        missing = _REQUIRED - set(data)
        if missing:
            raise ValueError(f"missing fields {sorted(missing)}")
        for name, value in data.items():
            if name in _REQUIRED and not isinstance(value, str):
                raise ValueError(f"{name} is not text")
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} is not text")
        written = datetime.fromisoformat(data["written_at"])
        return cls(**{**data, "written_at": written})


_FIELDS = {f.name for f in fields(JournalledReply)}
_REQUIRED = {
    "message_id",
    "conversation_id",
    "organization_id",
    "sender_id",
    "text",
    "written_at",
}


class ReplyJournal:
    """``told``: called (from whichever thread read the journal) with a sentence
    for the person when part of the journal could not be read and was set aside."""

    def __init__(self, path: Path, told: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.told = told
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
            self._set_aside("is not JSON", [], None)
            return []
        if not isinstance(raw, list):
            self._set_aside("is not a list", [], None)
            return []
        # Entry by entry: one damaged (by hand, or written by a newer version)
        # must neither block every later reply nor take the readable ones with it.
        readable, problems = [], []
        for item in raw:
            try:
                readable.append(JournalledReply.from_json(item))
            except ValueError as error:
                problems.append(str(error))
        if problems:
            self._set_aside("; ".join(sorted(set(problems))), readable, len(problems))
        return readable

    def _set_aside(self, why: str, kept: list[JournalledReply], unreadable: int | None) -> None:
        """Keep the whole file for a person to look at; the readable replies stay
        in the journal and are stored as usual."""
        aside = self.path.with_suffix(f".damaged-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
        self.path.replace(aside)
        if kept:
            self._write(kept)
        log.warning("reply journal set aside as %s (%s); replies go on", aside.name, why)
        if unreadable is None:
            what = "The file of replies written offline could not be read"
        else:
            what = f"{unreadable} of the replies written offline could not be read"
        sentence = f"{what}; it was kept as {aside} for you to look at."
        if kept:
            sentence += f" The other {len(kept)} will be sent as usual."
        if self.told is not None:
            self.told(sentence)

    def _write(self, replies: list[JournalledReply]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump([r.to_json() for r in replies], handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)
