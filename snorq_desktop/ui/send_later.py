"""Send later (#17.4) in the window: the "Send later…" menu beside Send, the
refusal when the reply window is closed by then (with a template for
WhatsApp), and a scheduled reply's bubble, which cancels it when clicked (its
text comes back into the reply box, so a slip of the mouse loses nothing)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

from PySide6.QtCore import QDateTime, QObject, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.enums import MessageStatus
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.inbox import Changes, ThreadMessage
from snorq_desktop.domain.send_later import CannotSchedule, later_choices
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.composer import Composer
from snorq_desktop.ui.tasks import TaskRunner

Clock = Callable[[], datetime]
UNEXPECTED = "Something went wrong; the reply was not scheduled. Try again."


def _local_now() -> datetime:
    return datetime.now(UTC).astimezone()


def _aware(chosen: QDateTime) -> datetime:
    """The edit's local time, made aware (a naive time would be taken as UTC)."""
    return cast(datetime, chosen.toPython()).astimezone()


def when_text(at: datetime, now: datetime) -> str:
    """ "14:00" today, "Thu 14:00" within the week, "12 Mar 14:00" beyond."""
    local, today = at.astimezone(), now.astimezone()
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if timedelta(0) < local - today < timedelta(days=6):
        return f"{local:%a %H:%M}"
    return f"{local:%d %b %H:%M}"


def scheduled_text(message: ThreadMessage, now: datetime | None = None) -> str | None:
    """A scheduled reply's status line, or None for any other message."""
    if message.send_at is None or message.status is not MessageStatus.PENDING:
        return None
    return f"🕓 Scheduled for {when_text(message.send_at, now or _local_now())} · click to cancel"


class SendLater(QObject):
    """Signals: ``scheduled(str)``: a reply was scheduled (its id)."""

    scheduled = Signal(str)

    def __init__(
        self,
        composer: Composer,
        parent: QWidget,
        service: InboxService,
        runner: TaskRunner,
        *,
        conversation_id: Callable[[], str | None],
        changed: Callable[[Changes], None],
        choose_template: Callable[[], None],
    ) -> None:
        """``conversation_id``: the open conversation's; ``changed``: what a
        schedule or cancel changed goes there; ``choose_template``: the template
        picker, offered when WhatsApp's window is closed by the time chosen."""
        super().__init__(parent)
        self._composer, self._parent = composer, parent
        self._service, self._runner = service, runner
        self._conversation_id = conversation_id
        self._changed, self._choose_template = changed, choose_template
        self.now: Clock = _local_now
        self.refusal: QMessageBox | None = None  # the refusal being shown (tests)
        self.custom: QDialog | None = None
        self.button = QToolButton(parent)
        self.button.setObjectName("sendLaterButton")
        self.button.setText("Send later…")
        self.button.setToolTip("Schedule this reply: it waits in the outbox and goes at its time")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # The "…" says a choice follows; the style's arrow drew over the text.
        self.button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.button.setMenu(self.menu)
        composer.buttons.addWidget(self.button)
        composer.editor.textChanged.connect(self._follow_send)
        composer.note_tab.toggled.connect(lambda _: self._follow_send())
        self._follow_send()

    def _follow_send(self) -> None:
        composer = self._composer
        self.button.setEnabled(composer.send_button.isEnabled() and not composer.note_mode)

    def _fill_menu(self) -> None:
        self.menu.clear()
        now = self.now()
        for choice in later_choices(now):
            action = self.menu.addAction(f"{choice.label}  ({when_text(choice.at, now)})")
            action.triggered.connect(lambda _=False, at=choice.at: self.schedule_at(at))
        self.menu.addSeparator()
        self.menu.addAction("Custom time…").triggered.connect(self.choose_custom_time)

    def choose_custom_time(self) -> None:
        dialog = QDialog(self._parent)
        dialog.setWindowTitle("Send later")
        edit = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600), dialog)
        edit.setObjectName("sendLaterTime")
        edit.setCalendarPopup(True)
        edit.setMinimumDateTime(QDateTime.currentDateTime())
        edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Schedule")
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel("Send this reply at:", dialog))
        layout.addWidget(edit)
        layout.addWidget(buttons)
        dialog.accepted.connect(lambda: self.schedule_at(_aware(edit.dateTime())))
        self.custom = dialog
        dialog.open()

    def schedule_at(self, when: datetime) -> None:
        """Schedule what the reply box holds for ``when`` (aware)."""
        composer, conversation_id = self._composer, self._conversation_id()
        text = composer.editor.toPlainText().strip()
        if conversation_id is None or not text or composer.note_mode:
            return
        if composer.blocked_reason is not None:
            return
        message_id = new_id()
        target = composer.reply_target
        reply_to = (
            target.message_id if target and target.conversation_id == conversation_id else None
        )

        def done(changes: Changes) -> None:
            if self._conversation_id() == conversation_id:
                if composer.editor.toPlainText().strip() == text:
                    composer.editor.clear()
                composer.set_reply_target(None)
            self._changed(changes)
            self.scheduled.emit(message_id)

        self._runner.run(
            lambda: self._service.send_later.schedule(
                conversation_id, message_id, text, when, reply_to
            ),
            done,
            self._refused,
        )

    def _refused(self, error: Exception) -> None:
        box = QMessageBox(self._parent)
        box.setObjectName("sendLaterRefused")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Cannot send at that time")
        box.setText(error.sentence if isinstance(error, KnownError) else UNEXPECTED)
        if isinstance(error, CannotSchedule) and error.template_instead:
            template = box.addButton("Send a template…", QMessageBox.ButtonRole.AcceptRole)
            template.setObjectName("sendTemplateInstead")
            template.clicked.connect(self._choose_template)
        box.addButton(QMessageBox.StandardButton.Close)
        self.refusal = box
        box.open()

    def cancel(self, message: ThreadMessage) -> None:
        """Take back a scheduled reply; its text returns to an empty reply box."""
        composer, conversation_id = self._composer, self._conversation_id()

        def done(result: tuple[str, Changes]) -> None:
            text, changes = result
            if self._conversation_id() == conversation_id and not composer.editor.toPlainText():
                composer.editor.setPlainText(text)
            self._changed(changes)

        self._runner.run(lambda: self._service.send_later.cancel(message.id), done, self._refused)
