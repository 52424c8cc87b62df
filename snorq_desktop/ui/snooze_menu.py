"""The snooze menu (#17.3) and its dialog for a time of one's own.

The menu says when each choice wakes the conversation ("Tomorrow 9:00 — Thu
3 Dec"), in the user's own time zone; the dialog refuses a time already
past with a sentence and keeps the dialog open to choose again.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.snooze import (
    CHOICE_TITLES,
    SnoozeChoice,
    refusal,
    wake_text,
    wake_time,
)
from snorq_desktop.ui.window_fit import open_sized

Clock = Callable[[], datetime]  # aware "now"
CUSTOM_TITLE = "Pick a date and time…"
UNSNOOZE_TITLE = "Unsnooze"


def _local_now() -> datetime:
    return datetime.now().astimezone()


def build_snooze_menu(
    parent: QWidget,
    snooze: Callable[[datetime], None],
    unsnooze: Callable[[], None] | None,
    clock: Clock = _local_now,
) -> QMenu:
    """The choices, each calling ``snooze`` with its time; ``unsnooze``: shown
    (as the last item) when the conversation is snoozed."""
    menu = QMenu("Snooze", parent)
    menu.setObjectName("snoozeMenu")
    now = clock()
    for choice in SnoozeChoice:
        until = wake_time(choice, now)
        action = menu.addAction(f"{CHOICE_TITLES[choice]}\t{_day_and_time(until, now)}")
        action.setObjectName(f"snooze_{choice.value}")
        action.triggered.connect(lambda _=False, until=until: snooze(until))
    custom = menu.addAction(CUSTOM_TITLE)
    custom.setObjectName("snooze_custom")
    custom.triggered.connect(lambda: _ask_time(parent, snooze, clock))
    if unsnooze is not None:
        menu.addSeparator()
        back = menu.addAction(UNSNOOZE_TITLE)
        back.setObjectName("unsnooze")
        back.triggered.connect(unsnooze)
    return menu


def _day_and_time(until: datetime, now: datetime) -> str:
    local = until.astimezone()
    if local.date() == now.astimezone().date():
        return f"{local.hour}:{local.minute:02d}"
    return f"{local:%a} {local.day} {local:%b}, {local.hour}:{local.minute:02d}"


def _ask_time(parent: QWidget, snooze: Callable[[datetime], None], clock: Clock) -> None:
    dialog = SnoozeDialog(parent, clock)
    dialog.on_chosen = snooze
    dialog.open()


class SnoozeDialog(QDialog):
    """A date and time of one's own, in the local time zone; a time already
    past is refused with a sentence, the dialog stays open."""

    def __init__(self, parent: QWidget | None, clock: Clock = _local_now) -> None:
        super().__init__(parent)
        self.setObjectName("snoozeDialog")
        self.setWindowTitle("Snooze until…")
        self._clock = clock
        self.on_chosen: Callable[[datetime], None] = lambda _: None
        self.chosen_time: datetime | None = None
        intro = QLabel("Hide this conversation until:", self)
        intro.setWordWrap(True)
        self.when = QDateTimeEdit(self)
        self.when.setObjectName("snoozeWhen")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        start = clock().replace(second=0, microsecond=0) + timedelta(hours=1)
        self.when.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp())))
        self.error = QLabel("", self)
        self.error.setObjectName("snoozeError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Snooze")
        buttons.accepted.connect(self.choose)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.when)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        open_sized(self, 380, 160)

    def chosen_local_time(self) -> datetime:
        """What the field says, as an aware time of the user's own zone."""
        naive = self.when.dateTime().toPython()
        assert isinstance(naive, datetime)
        return naive.replace(second=0, microsecond=0).astimezone()

    def choose(self) -> None:
        until = self.chosen_local_time()
        if reason := refusal(until, self._clock()):
            self.error.setText(reason)
            self.error.show()
            return
        self.chosen_time = until
        self.accept()
        self.on_chosen(until)


def snoozed_text(until: datetime | None, now: datetime) -> str | None:
    """The header's and the row's words for a snoozed conversation."""
    if until is None or until <= now:
        return None
    return f"Snoozed until {wake_text(until, now)}"
