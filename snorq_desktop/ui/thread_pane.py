"""The right-hand side: who you talk to, its labels, what was said (with the
team's internal notes among it), and the reply box."""

import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.enums import (
    ContentType,
    ConversationStatus,
    MessageDirection,
    MessageStatus,
)
from snorq_desktop.domain.errors import DatabaseUnavailable
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import PLATFORM_NAMES, Changes, ThreadHeader, ThreadMessage
from snorq_desktop.domain.notes import ThreadNote
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.composer import SEND_WITH_CTRL_ENTER, Composer
from snorq_desktop.ui.drafts import ReplyDrafts, reply_target_of
from snorq_desktop.ui.file_preview import FilePreview
from snorq_desktop.ui.files_before_sending import FilesBeforeSending
from snorq_desktop.ui.formatting import connection_marker
from snorq_desktop.ui.label_actions import LabelActions
from snorq_desktop.ui.message_delegate import MessageDelegate
from snorq_desktop.ui.message_menu import ThreadMenus
from snorq_desktop.ui.pictures import Pictures
from snorq_desktop.ui.reply_clocks import ReplyWindowClock
from snorq_desktop.ui.search_marks import MatchSeeker
from snorq_desktop.ui.send_later import SendLater
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.template_picker import TemplatePicker
from snorq_desktop.ui.thread_labels import ThreadLabelRow
from snorq_desktop.ui.thread_model import ThreadModel
from snorq_desktop.ui.thread_scroll import ThreadScroll

TemplateSource = Callable[[str], Future[list[MessageTemplate]]]
NO_TEMPLATES_HERE = "Templates need syncing, which is off in this window."


class ThreadPane(QWidget):
    """Signals:
    - ``changed(object)``: a Changes value from an action taken here (read,
      unread, close, archive, reopen, reply, retry);
    - ``conversation_read(str)``: a conversation with unread messages was opened;
    - ``reconnect_requested(str)``: the open conversation's connection should be
      reconnected (its id);
    - ``header_shown(object)``: the open conversation's ThreadHeader was (re)read.
    """

    changed = Signal(object)
    conversation_read = Signal(str)
    reconnect_requested = Signal(str)
    header_shown = Signal(object)  # the open conversation's ThreadHeader, (re)read

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        label_actions: LabelActions | None = None,
        send_key: str = SEND_WITH_CTRL_ENTER,
        files_folder: Path | None = None,
        template_source: TemplateSource | None = None,
    ) -> None:
        """``files_folder``: where files are written out for the system's viewer;
        ``template_source``: asks Meta for a connection's approved templates (None
        while syncing is off)."""
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.header: ThreadHeader | None = None
        self.model = ThreadModel(service, runner, parent=self)

        self.title = QLabel(self)
        self.title.setObjectName("threadTitle")
        title_font = QFont(self.title.font())
        title_font.setPointSizeF(title_font.pointSizeF() + 4)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.title.setWordWrap(True)  # a long name wraps; it never widens the window
        # ...and takes the header's room first, so a short one stays on one line.
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("threadSubtitle")
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.window_clock = ReplyWindowClock(self)  # the free reply's countdown (#17.5)
        self.window_clock.closed.connect(lambda: self._load_header(self.conversation_id or ""))
        self.mark_unread_button = QPushButton("Mark unread", self)
        self.close_button = QPushButton("Close", self)
        self.archive_button = QPushButton("Archive", self)
        self.reopen_button = QPushButton("Reopen", self)
        for button in (
            self.mark_unread_button,
            self.close_button,
            self.archive_button,
            self.reopen_button,
        ):
            button.setFlat(True)
        self.mark_unread_button.clicked.connect(self.mark_unread)
        self.close_button.clicked.connect(lambda: self.set_status(ConversationStatus.CLOSED))
        self.archive_button.clicked.connect(lambda: self.set_status(ConversationStatus.ARCHIVED))
        self.reopen_button.clicked.connect(lambda: self.set_status(ConversationStatus.OPEN))

        self.view = QListView(self)
        self.view.setObjectName("threadView")
        self.view.setModel(self.model)
        self.pictures = Pictures(service, runner, self)
        self.bubbles = MessageDelegate(self.view, self.pictures)
        self.view.setItemDelegate(self.bubbles)
        self.pictures.ready.connect(lambda _: self.view.viewport().update())
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setFrameShape(QListView.Shape.NoFrame)
        self.view.setWordWrap(True)
        self.view.clicked.connect(self._clicked)
        self.composer = Composer(send_key, parent=self)
        self.composer.send_requested.connect(self.send)
        self.drafts = ReplyDrafts(service, runner, self.composer, self)
        self.composer.attach_requested.connect(self.choose_file)
        self.composer.template_requested.connect(self.choose_template)
        self.template_source = template_source
        self.template_values: Callable[[], list[tuple[str, str]]] = lambda: []
        self.files_folder = files_folder or Path(tempfile.gettempdir()) / "snorq-files"
        self.picker: TemplatePicker | None = None  # the template dialog while it shows
        self.files = FilesBeforeSending(
            self, service, runner, self.composer, self.files_folder, lambda: self.conversation_id
        )
        self.files.send_requested.connect(self.send_file)
        self.composer.files_given.connect(self.files.given)
        self.composer.image_pasted.connect(self.files.pasted)
        self._writing_stopped: str | None = None  # why nothing may be written any more
        self.composer.note_requested.connect(self.add_note)
        self.menus = ThreadMenus(self, self)
        self.label_row = ThreadLabelRow(label_actions, self) if label_actions else None
        self.composer.reconnect_requested.connect(self._reconnect)
        self.send_later = SendLater(  # #17.4
            self.composer,
            self,
            service,
            runner,
            conversation_id=lambda: self.conversation_id,
            changed=self.changed.emit,
            choose_template=self.choose_template,
        )

        header = self.header_row = QHBoxLayout()  # where features add their controls
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        titles.addWidget(self.window_clock)
        header.addLayout(titles, 1)
        self.header_bar = header  # features add their controls after the titles
        for button in (
            self.mark_unread_button,
            self.close_button,
            self.archive_button,
            self.reopen_button,
        ):
            header.addWidget(button)
        conversation = QWidget(self)
        column = QVBoxLayout(conversation)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(header)
        if self.label_row is not None:
            column.addWidget(self.label_row)
        column.addWidget(self.view, 1)
        column.addWidget(self.composer)
        header.setContentsMargins(14, 10, 10, 8)

        self.empty = QLabel("Choose a conversation to read it here.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("threadEmpty")
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(conversation)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.model.loaded.connect(self._first_page_shown)
        self.thread_scroll = ThreadScroll(self.view, self.model)
        # After the scroll's (it keeps the position as older messages come), so made after it.
        self.matches = MatchSeeker(
            self.view, self.model, self, stop_following=self.thread_scroll.unpin
        )
        # Pinned, the newest message stays in sight when the thread grows or the
        # view shrinks (a long name wrapping in the header, the window resized).
        self.view.verticalScrollBar().rangeChanged.connect(self.thread_scroll.range_changed)
        self.bubbles.marked_words = lambda: self.matches.words

    # --- opening --------------------------------------------------------------

    @property
    def conversation_id(self) -> str | None:
        return self.model.conversation_id

    def open(self, conversation_id: str | None) -> None:
        if conversation_id == self.model.conversation_id:
            return
        self.drafts.switch(conversation_id)
        self.matches.show("")  # the marks of a search belong to the thread it opened
        self.stack.setCurrentIndex(0 if conversation_id is None else 1)
        self.header = None
        self.thread_scroll.pinned = True
        self.model.open(conversation_id)
        if conversation_id is None:
            return
        self.title.setText("")
        self.subtitle.setText("")
        self._load_header(conversation_id)
        self._runner.run(
            lambda: self._service.open_conversation(conversation_id),
            lambda changes: self._opened(conversation_id, changes),
        )

    def show_matches(self, typed: str, *, seek: bool = True) -> None:
        """Mark the words of a search in the bubbles (none: clear the marks); with
        ``seek``, scroll to the newest message holding them all."""
        self.matches.show(typed, seek=seek)

    def _first_page_shown(self, conversation_id: str) -> None:
        if not self.matches.first_page_shown(conversation_id):
            self.view.scrollToBottom()

    def _opened(self, conversation_id: str, changes: Changes) -> None:
        self.changed.emit(changes)
        if changes:  # it had unread messages: the customer may see they were read
            self.conversation_read.emit(conversation_id)

    def _load_header(self, conversation_id: str) -> None:
        self._runner.run(
            lambda: self._service.header(conversation_id),
            lambda header: self._show_header(conversation_id, header),
        )

    def _show_header(self, conversation_id: str, header: ThreadHeader | None) -> None:
        if conversation_id != self.model.conversation_id:
            return
        if header is None:  # deleted meanwhile
            self.open(None)
            return
        self.header = header
        summary = header.conversation
        self.title.setText(summary.contact_name)
        status = {
            ConversationStatus.OPEN: "",
            ConversationStatus.CLOSED: " · Closed",
            ConversationStatus.ARCHIVED: " · Archived",
        }[summary.status]
        marker = connection_marker(summary.connection_status)
        connection = f" · ⚠ {marker}" if marker else ""
        self.subtitle.setText(f"{PLATFORM_NAMES[summary.platform]}{status}{connection}")
        self.close_button.setVisible(summary.status is ConversationStatus.OPEN)
        self.archive_button.setVisible(summary.status is not ConversationStatus.ARCHIVED)
        self.reopen_button.setVisible(summary.status is not ConversationStatus.OPEN)
        self.window_clock.show_clock(header.reply_clock)
        if self.label_row is not None:
            self.label_row.show_labels(conversation_id, summary.labels)
        self.header_shown.emit(header)
        reason = header.reply_blocked_reason
        if reason and header.connection_error:
            reason = f"{reason} ({header.connection_error})"
        if self._writing_stopped is not None:
            self.composer.set_blocked(self._writing_stopped)
        elif reason is None and header.template_only_reason and self.template_source is None:
            # No way to ask Meta for templates here: say so, rather than a button that fails.
            self.composer.set_blocked(f"{header.template_only_reason} {NO_TEMPLATES_HERE}")
        elif reason is None and header.template_only_reason:
            self.composer.set_blocked(header.template_only_reason, template_only=True)
        else:
            self.composer.set_blocked(reason, can_reconnect=header.connection_id is not None)

    def connection_states_changed(self) -> None:
        """A connection was renewed or stopped: the reply box says so now."""
        if (conversation_id := self.conversation_id) is not None:
            self._load_header(conversation_id)

    def stop_writing(self, reason: str) -> None:
        """No more replies or notes from this window (its database was left behind)."""
        self._writing_stopped = reason
        self.composer.set_note_mode(False)
        self.composer.set_blocked(reason)
        self.composer.setEnabled(False)

    def _reconnect(self) -> None:
        if self.header is not None and self.header.connection_id is not None:
            self.reconnect_requested.emit(self.header.connection_id)

    # --- actions ----------------------------------------------------------------

    def mark_unread(self) -> None:
        if (conversation_id := self.conversation_id) is not None:
            self._runner.run(lambda: self._service.mark_unread(conversation_id), self.changed.emit)

    def set_status(self, status: ConversationStatus) -> None:
        if (conversation_id := self.conversation_id) is not None:
            self._runner.run(
                lambda: self._service.set_status(conversation_id, status), self.changed.emit
            )

    def send(self, text: str) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None:
            return
        message_id = new_id()  # made before any attempt, so a retry never sends twice
        target = self.composer.take_reply_target(conversation_id)
        reply_to = target.message_id if target else None
        self.thread_scroll.pinned = True
        self.model.show_local(
            ThreadMessage(
                id=message_id,
                direction=MessageDirection.OUTBOUND,
                content=text,
                content_type=ContentType.TEXT,
                media_url=None,
                media_type=None,
                status=MessageStatus.PENDING,
                sent_at=datetime.now(UTC),
                sender_name=None,
                quoted=target.quote if target else None,
            )
        )
        self.view.scrollToBottom()
        self._runner.run(
            lambda: self._service.send_reply(conversation_id, message_id, text, reply_to),
            self.changed.emit,
        )

    def choose_file(self) -> None:
        self.files.choose()

    def preview_file(self, path: Path) -> None:
        self.files.preview(path)

    @property
    def file_preview(self) -> FilePreview | None:
        """The last file shown before sending (for tests: the preview being shown)."""
        return self.files.shown

    def send_file(self, path: Path, caption: str = "", conversation_id: str | None = None) -> None:
        """Store the file reply PENDING (the outbox sends it); ``conversation_id``
        defaults to the open conversation."""
        conversation_id = conversation_id or self.conversation_id
        if conversation_id is None:
            return
        message_id = new_id()
        target = self.composer.take_reply_target(conversation_id)
        reply_to = target.message_id if target else None
        self.thread_scroll.pinned = True
        self._runner.run(
            lambda: self._service.send_file(conversation_id, message_id, path, caption, reply_to),
            self.changed.emit,
        )

    def choose_template(self) -> None:
        conversation_id, header = self.conversation_id, self.header
        if conversation_id is None or header is None or header.connection_id is None:
            return
        source = self.template_source
        connection_id = header.connection_id
        if source is None:
            self._runner.failed.emit(NO_TEMPLATES_HERE)
            return
        values = self.template_values()  # quick replies that fit a value (#17.1)
        picker = TemplatePicker(lambda: source(connection_id), self, suggestions=values)
        self.picker = picker  # for tests: the dialog being shown
        if picker.exec() and picker.chosen is not None:
            template, parameters = picker.chosen, picker.parameters
            message_id = new_id()
            self._runner.run(
                lambda: self._service.send_template(
                    conversation_id, message_id, template, parameters
                ),
                self.changed.emit,
            )

    # --- internal notes -------------------------------------------------------------

    def add_note(self, text: str) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None:
            return
        self.thread_scroll.pinned = True

        def added(result: tuple[ThreadNote, Changes]) -> None:
            note, changes = result
            if conversation_id == self.conversation_id:
                self.model.show_note(note)
            self.changed.emit(changes)

        self._runner.run(lambda: self._service.notes.add(conversation_id, text), added)

    def edit_note(self, note_id: str, text: str) -> None:
        self._runner.run(lambda: self._service.notes.edit(note_id, text), self.changed.emit)

    def delete_note(self, note_id: str) -> None:
        self._runner.run(lambda: self._service.notes.delete(note_id), self.changed.emit)

    @property
    def notes_author_id(self) -> str | None:
        return self._service.notes.author_id

    # --- one message: reply to it, react to it ------------------------------------

    def reply_to(self, message: ThreadMessage) -> None:
        """The next reply answers ``message`` ("Replying to …" above the box)."""
        if (conversation_id := self.conversation_id) is None:
            return
        self.composer.set_note_mode(False)
        self.composer.set_reply_target(reply_target_of(conversation_id, message))
        self.composer.editor.setFocus()

    def react(self, message: ThreadMessage, emoji: str) -> None:
        """Our reaction ("" none) on a customer's message: on its bubble at once,
        then through the outbox; the inbox's order and unread stay as they were."""
        if (conversation_id := self.conversation_id) is None:
            return
        others = message.reactions
        if message.my_reaction and others and others[-1] == message.my_reaction:
            others = others[:-1]  # ours comes last
        shown = (*others, emoji) if emoji else others
        self.model.show_changed(replace(message, my_reaction=emoji or None, reactions=shown))

        def refused(error: Exception) -> None:
            # Refused (the runner said why): the bubble shows what it had.  A
            # database away keeps it: the journal stores it when it is back.
            if not isinstance(error, DatabaseUnavailable):
                self.model.show_changed(message)

        self._runner.run(
            lambda: self._service.react(conversation_id, message.id, emoji),
            self.changed.emit,
            refused,
        )

    def _clicked(self, index: QModelIndex) -> None:
        message = self.model.message_at(index.row())
        if message is None:
            return
        if message.status is MessageStatus.FAILED:
            self._runner.run(lambda: self._service.retry(message.id), self.changed.emit)
        elif message.status is MessageStatus.PENDING and message.send_at is not None:
            self.send_later.cancel(message)
        elif message.attachment is not None and message.attachment.kept:
            self.open_file(message.id)

    def open_file(self, message_id: str) -> None:
        """Write the file where the system's viewer can read it, then open it there."""
        self.files.open(message_id)

    # --- changes and scrolling ------------------------------------------------------

    def apply_changes(self, changes: Changes) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None:
            return
        self.model.apply_changes(changes)
        if conversation_id in changes.conversations or changes.labels:
            self._load_header(conversation_id)
