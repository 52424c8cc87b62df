"""One conversation's messages, oldest first, with the team's internal notes
placed among them by the time they were written.

Loads the newest page when a conversation opens, older pages when the view
scrolls to the top (``load_older``), and catches up with what was said or
what changed status when the conversation changes (``apply_changes``).  A
reply shows at once as PENDING, before the database has it.
"""

import bisect
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from snorq_desktop.domain.business_hours import CAPTIONS
from snorq_desktop.domain.enums import MessageDirection
from snorq_desktop.domain.inbox import Changes, ThreadMessage
from snorq_desktop.domain.notes import ThreadNote
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.tasks import TaskRunner

MessageRole = Qt.ItemDataRole.UserRole + 1  # a ThreadMessage (None on a note's row)
StartsDayRole = Qt.ItemDataRole.UserRole + 2
NoteRole = Qt.ItemDataRole.UserRole + 3  # a ThreadNote (None on a message's row)

_Index = QModelIndex | QPersistentModelIndex


def spoken(message: ThreadMessage) -> str:
    """A message in words, as a screen reader says it (and as copied)."""
    who = "You" if message.direction is MessageDirection.OUTBOUND else "Customer"
    if message.sent_elsewhere:
        who = "You, from elsewhere"
    if message.automatic:
        who = CAPTIONS[message.automatic]
    said = message.shown_text or message.content_type.value.lower()
    parts = [f"{who}: {said}"]
    if message.forwarded:
        parts.insert(0, "Forwarded.")
    if message.quoted is not None:
        parts.insert(0, f"Reply to “{message.quoted}”.")
    if message.edited and not message.deleted:
        parts.append("(edited)")
    if message.reactions:
        parts.append("Reactions: " + " ".join(message.reactions))
    return " ".join(parts)


class ThreadModel(QAbstractListModel):
    """Signals:
    - ``about_to_add_newer()``: newer messages are about to be appended (the view
      decides whether to stay pinned to the bottom);
    - ``newer_added()``: they were;
    - ``older_added(int)``: that many older messages were put on top;
    - ``loaded(str)``: a conversation's first page arrived.
    """

    about_to_add_newer = Signal()
    newer_added = Signal()
    older_added = Signal(int)
    loaded = Signal(str)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        *,
        page_size: int = 50,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._page_size = page_size
        self._rows: list[ThreadMessage | ThreadNote] = []
        self.conversation_id: str | None = None
        self._has_older = False
        self._loading_older = False
        self._unconfirmed: set[str] = set()  # shown, not yet read back from the database

    # --- Qt model contract --------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        if role == MessageRole:
            return message if isinstance(message, ThreadMessage) else None
        if role == NoteRole:
            return message if isinstance(message, ThreadNote) else None
        if role == StartsDayRole:
            if index.row() == 0:
                return True
            earlier = self._rows[index.row() - 1]
            return earlier.sent_at.astimezone().date() != message.sent_at.astimezone().date()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if isinstance(message, ThreadNote):
                return f"Internal note by {message.author_name}: {message.content}"
            return spoken(message)
        return None

    # --- loading ----------------------------------------------------------------

    @property
    def has_older(self) -> bool:
        return self._has_older

    def open(self, conversation_id: str | None) -> None:
        self.conversation_id = conversation_id
        self.beginResetModel()
        self._rows = []
        self._has_older = False
        self._unconfirmed = set()
        self.endResetModel()
        if conversation_id is None:
            return
        page_size = self._page_size

        def fetch() -> tuple[list[ThreadMessage], list[ThreadNote]]:
            rows = self._service.thread(conversation_id, None, page_size)
            # Notes as far back as the messages shown; older ones come with older pages.
            since = rows[0].sent_at if len(rows) == page_size else None
            return rows, self._service.notes.of(conversation_id, since)

        self._runner.run(fetch, lambda found: self._first_page(conversation_id, *found))

    def _first_page(
        self, conversation_id: str, rows: list[ThreadMessage], notes: list[ThreadNote]
    ) -> None:
        if conversation_id != self.conversation_id:
            return
        self._has_older = len(rows) == self._page_size
        self._unconfirmed -= {r.id for r in rows} | {n.id for n in notes}
        unsaved = [m for m in self._rows if m.id in self._unconfirmed]
        self.beginResetModel()
        self._rows = sorted([*rows, *notes, *unsaved], key=lambda m: (m.sent_at, m.id))
        self.endResetModel()
        self.loaded.emit(conversation_id)

    def _oldest_message(self) -> ThreadMessage | None:
        return next((m for m in self._rows if isinstance(m, ThreadMessage)), None)

    def load_older(self) -> None:
        conversation_id = self.conversation_id
        oldest = self._oldest_message()
        if conversation_id is None or not self._has_older or self._loading_older or not oldest:
            return
        self._loading_older = True
        page_size = self._page_size

        def fetch() -> tuple[list[ThreadMessage | ThreadNote], bool]:
            older = self._service.thread(conversation_id, (oldest.sent_at, oldest.id), page_size)
            since = older[0].sent_at if len(older) == page_size else None
            notes = [
                n
                for n in self._service.notes.of(conversation_id, since)
                if n.sent_at < oldest.sent_at
            ]
            rows: list[ThreadMessage | ThreadNote] = [*older, *notes]
            rows.sort(key=lambda m: (m.sent_at, m.id))
            return rows, len(older) == page_size

        self._runner.run(
            fetch,
            lambda found: self._prepend(conversation_id, *found),
            lambda _: setattr(self, "_loading_older", False),
        )

    def _prepend(
        self, conversation_id: str, found: list[ThreadMessage | ThreadNote], has_older: bool
    ) -> None:
        self._loading_older = False
        if conversation_id != self.conversation_id:
            return
        self._has_older = has_older
        known = {m.id for m in self._rows}
        rows = [m for m in found if m.id not in known]
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows[0:0] = rows
            self.endInsertRows()
            # the message that was on top may no longer start a day
            first_old = self.index(len(rows))
            self.dataChanged.emit(first_old, first_old)
        self.older_added.emit(len(rows))

    # --- changes ----------------------------------------------------------------

    def show_note(self, note: ThreadNote) -> None:
        """A note this app just stored, shown without waiting for a refresh."""
        self._upsert([note])

    def show_local(self, message: ThreadMessage) -> None:
        """A reply shown before the database has it (PENDING, its id made already)."""
        self._unconfirmed.add(message.id)
        self._upsert([message])

    def show_changed(self, message: ThreadMessage) -> None:
        """A message shown as this app just changed it (our reaction), before the
        database says so; the next refresh shows what it holds."""
        self._upsert([message])

    def apply_changes(self, changes: Changes) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None or conversation_id not in changes.messages:
            return
        saved = [
            m for m in self._rows if isinstance(m, ThreadMessage) and m.id not in self._unconfirmed
        ]
        newest = (saved[-1].sent_at, saved[-1].id) if saved else None
        # Every loaded message, not only replies still in flight: a reaction, an
        # edit or a delete changes a message that is already shown (one read by id).
        loaded = [m.id for m in saved]
        since = saved[0].sent_at if saved and self._has_older else None

        def fetch() -> tuple[list[ThreadMessage], list[ThreadNote]]:
            newer = (
                self._service.thread_since(conversation_id, newest)
                if newest
                else self._service.thread(conversation_id, None, self._page_size)
            )
            # Notes are few: all of those in the loaded span, to see edits and deletions.
            notes = self._service.notes.of(conversation_id, since)
            return [*self._service.messages(loaded), *newer], notes

        self._runner.run(
            fetch, lambda found: self._merge(conversation_id, *found, since=since, loaded=loaded)
        )

    def _merge(
        self,
        conversation_id: str,
        rows: list[ThreadMessage],
        notes: list[ThreadNote] | None = None,
        *,
        since: datetime | None = None,
        loaded: Sequence[str] = (),
    ) -> None:
        if conversation_id != self.conversation_id:
            return
        self._unconfirmed -= {r.id for r in rows}
        # A loaded message the database no longer has was taken back (a scheduled
        # reply cancelled, here or by a teammate): its bubble goes.
        gone = set(loaded) - {r.id for r in rows}
        for row in reversed(range(len(self._rows))):
            if self._rows[row].id in gone:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        if notes is not None:
            self._unconfirmed -= {n.id for n in notes}
            current = {n.id for n in notes}
            for row in reversed(range(len(self._rows))):
                shown = self._rows[row]
                deleted = (
                    isinstance(shown, ThreadNote)
                    and shown.id not in current
                    and shown.id not in self._unconfirmed
                    and (since is None or shown.sent_at >= since)
                )
                if deleted:
                    self.beginRemoveRows(QModelIndex(), row, row)
                    del self._rows[row]
                    self.endRemoveRows()
        self._upsert([*rows, *(notes or [])])

    def _upsert(self, messages: Sequence[ThreadMessage | ThreadNote]) -> None:
        """Update known messages in place; insert new ones where they were said."""
        positions = {m.id: n for n, m in enumerate(self._rows)}
        added: dict[str, ThreadMessage | ThreadNote] = {}
        for message in messages:
            if message.id in positions:
                row = positions[message.id]
                if self._rows[row] != message:
                    self._rows[row] = message
                    index = self.index(row)
                    self.dataChanged.emit(index, index)
            else:
                added[message.id] = message
        if not added:
            return
        self.about_to_add_newer.emit()
        for message in sorted(added.values(), key=lambda m: (m.sent_at, m.id)):
            row = bisect.bisect_right(
                self._rows, (message.sent_at, message.id), key=lambda m: (m.sent_at, m.id)
            )
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, message)
            self.endInsertRows()
            if row + 1 < len(self._rows):  # the next one may no longer start a day
                following = self.index(row + 1)
                self.dataChanged.emit(following, following)
        self.newer_added.emit()

    def message_at(self, row: int) -> ThreadMessage | None:
        found = self._rows[row] if 0 <= row < len(self._rows) else None
        return found if isinstance(found, ThreadMessage) else None

    def note_at(self, row: int) -> ThreadNote | None:
        found = self._rows[row] if 0 <= row < len(self._rows) else None
        return found if isinstance(found, ThreadNote) else None
