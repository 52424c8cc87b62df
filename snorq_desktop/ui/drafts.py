"""The reply box's text belongs to its conversation: kept when another one is
opened (and across restarts), brought back when it is opened again, with its
Reply / Internal note choice and the message it answers ("Replying to …").
Never carried over to the next customer."""

from PySide6.QtCore import QObject, QTimer, Signal

from snorq_desktop.domain.drafts import Draft
from snorq_desktop.domain.inbox import ThreadMessage, preview_of
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.composer import Composer
from snorq_desktop.ui.reply_bar import ReplyTarget, one_line
from snorq_desktop.ui.tasks import TaskRunner


def reply_target_of(conversation_id: str, message: ThreadMessage) -> ReplyTarget:
    quote = message.shown_text if message.content else None
    return ReplyTarget(
        conversation_id, message.id, one_line(quote or preview_of(message.content_type, None))
    )


SAVE_AFTER_MS = 700  # a pause in typing; switching or closing saves at once


class ReplyDrafts(QObject):
    """Signals:
    - ``written_changed()``: the set of conversations showing "Draft" changed.
    """

    written_changed = Signal()

    def __init__(
        self, service: InboxService, runner: TaskRunner, composer: Composer, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._composer = composer
        self.conversation_id: str | None = None
        self.written: set[str] = set()  # conversations with unsent text of mine
        self._restoring = False
        self._dirty = False  # typed since the last save
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save_now)
        composer.editor.textChanged.connect(self._edited)
        composer.note_tab.toggled.connect(lambda _: self._edited())
        composer.reply_target_changed.connect(self._edited)

    def load_written(self) -> None:
        self._runner.run(self._service.drafts.written, self._loaded_written)

    def _loaded_written(self, written: set[str]) -> None:
        self.written = written | self.written
        self.written_changed.emit()

    def has_draft(self, conversation_id: str) -> bool:
        return conversation_id in self.written

    def switch(self, conversation_id: str | None) -> None:
        """Keep the open conversation's draft; empty the box; bring back the next one's."""
        self.save_now()
        self.conversation_id = conversation_id
        self._restore(Draft(conversation_id or "", "", as_note=False))
        if conversation_id is not None:
            self._runner.run(
                lambda: self._read(conversation_id),
                lambda found: self._loaded(conversation_id, *found),
            )

    def _read(self, conversation_id: str) -> tuple[Draft | None, ThreadMessage | None]:
        draft = self._service.drafts.of(conversation_id)
        answered = self._service.messages([draft.reply_to]) if draft and draft.reply_to else []
        return draft, answered[0] if answered else None

    def _loaded(
        self, conversation_id: str, draft: Draft | None, answered: ThreadMessage | None
    ) -> None:
        # Too late if another conversation is open, or typing began meanwhile.
        current = self._current()
        if draft is None or conversation_id != self.conversation_id or current.written:
            return
        if current.reply_to is not None:
            return
        self._restore(draft, answered)

    def _restore(self, draft: Draft, answered: ThreadMessage | None = None) -> None:
        self._restoring = True
        try:
            target = None
            if answered is not None and answered.id == draft.reply_to:
                target = reply_target_of(draft.conversation_id, answered)
            self._composer.set_reply_target(target)
            self._composer.set_note_mode(draft.as_note)
            self._composer.editor.setPlainText(draft.content)
            self._composer.editor.moveCursor(self._composer.editor.textCursor().MoveOperation.End)
        finally:
            self._restoring = False

    def _current(self) -> Draft:
        target = self._composer.reply_target
        mine = target is not None and target.conversation_id == self.conversation_id
        return Draft(
            self.conversation_id or "",
            self._composer.editor.toPlainText(),
            self._composer.note_mode,
            target.message_id if target is not None and mine else None,
        )

    def _edited(self) -> None:
        if self._restoring or self.conversation_id is None:
            return
        self._dirty = True
        self._mark(self._current())
        self._timer.start()

    def _mark(self, draft: Draft) -> None:
        before = draft.conversation_id in self.written
        if draft.written:
            self.written.add(draft.conversation_id)
        else:
            self.written.discard(draft.conversation_id)
        if before != draft.written:
            self.written_changed.emit()

    def save_now(self, *, wait: bool = False) -> None:
        """Store what the box holds for the open conversation (if it changed);
        ``wait``: before returning (the window is closing)."""
        self._timer.stop()
        if self.conversation_id is None or not self._dirty:
            return
        self._dirty = False
        draft = self._current()
        if wait:
            self._runner.finish(lambda: self._service.drafts.save(draft))
        else:
            self._runner.run(lambda: self._service.drafts.save(draft))
