"""Team ▸ Business hours…: the shop's time zone, a row per weekday, the away
message and the greeting, each with its on/off, and a preview of what a
customer writing now would get (#17.6).

Every member sees them; an owner or admin changes them (a member finds the
form disabled, with the sentence why).  Saving is one transaction on the
worker that tells the team, so a teammate's open dialog reads them again."""

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTime, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.business_hours import (
    WEEKDAYS,
    BusinessHours,
    BusinessHoursRefused,
    OpenHours,
    closed_since,
    default_hours,
    next_opening,
    time_zones,
    zone_of,
)
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.window_fit import open_sized

MEMBER_SENTENCE = (
    "Only an owner or an admin of the team can change the business hours and the "
    "automatic messages; here they are as the team set them."
)
HINT = (
    "Outside these hours a customer's message gets the away message, once until you "
    "open again. A customer writing for the first time gets the greeting (both, "
    "greeting first, when you are closed)."
)


def local_zone_name() -> str:
    """This computer's IANA time zone, the form's first choice ("UTC" if unknown)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    with contextlib.suppress(OSError):
        candidates.append(str(Path("/etc/localtime").resolve()).partition("zoneinfo/")[2])
    for name in candidates:
        try:
            zone_of(name)
        except BusinessHoursRefused:
            continue
        return name
    return "UTC"


def _minutes(edit: QTimeEdit) -> int:
    at = edit.time()
    return at.hour() * 60 + at.minute()


class _Day:
    """One weekday's row: open or not, from, to ("00:00" as closing is midnight)."""

    def __init__(self, name: str, parent: QWidget) -> None:
        self.open = QCheckBox(name, parent)
        self.opens, self.closes = QTimeEdit(parent), QTimeEdit(parent)
        for edit in (self.opens, self.closes):
            edit.setDisplayFormat("HH:mm")
        self.open.setObjectName(f"businessHoursOpen{name}")
        self.open.toggled.connect(self._enable)
        self._enable(False)

    def _enable(self, on: bool) -> None:
        self.opens.setEnabled(on and self.open.isEnabled())
        self.closes.setEnabled(on and self.open.isEnabled())

    def show(self, day: OpenHours | None) -> None:
        shown = day or OpenHours(9 * 60, 18 * 60)
        self.opens.setTime(QTime(shown.opens // 60, shown.opens % 60))
        closes = shown.closes % 1440
        self.closes.setTime(QTime(closes // 60, closes % 60))
        self.open.setChecked(day is not None)
        self._enable(day is not None)

    def read(self) -> OpenHours | None:
        if not self.open.isChecked():
            return None
        return OpenHours(_minutes(self.opens), _minutes(self.closes) or 1440)


class BusinessHoursDialog(QDialog):
    """Signals: ``changed(object)``: the Changes of a save made here."""

    changed = Signal(object)

    def __init__(
        self, service: InboxService, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("businessHoursDialog")
        self.setWindowTitle("Business hours")
        self._service = service
        self._runner = runner
        self.can_change = False
        body = QWidget(self)
        self.notice = QLabel(MEMBER_SENTENCE, body)
        self.notice.setObjectName("businessHoursMemberNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        hint = QLabel(HINT, body)
        hint.setWordWrap(True)
        self.zone = QComboBox(body)
        self.zone.setObjectName("businessHoursZone")
        self.zone.setEditable(True)
        self.zone.addItems(time_zones())
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        week = QGridLayout()
        week.addWidget(QLabel("Time zone", body), 0, 0)
        week.addWidget(self.zone, 0, 1, 1, 3)
        self.days = [_Day(name, body) for name in WEEKDAYS]
        for row, day in enumerate(self.days, start=1):
            week.addWidget(day.open, row, 0)
            week.addWidget(day.opens, row, 1)
            week.addWidget(QLabel("to", body), row, 2)
            week.addWidget(day.closes, row, 3)
        self.away_on = QCheckBox("Send an away message outside these hours", body)
        self.away_on.setObjectName("businessHoursAwayOn")
        self.away_text = self._message_box(body, "businessHoursAwayText")
        self.greeting_on = QCheckBox("Greet a customer's first message", body)
        self.greeting_on.setObjectName("businessHoursGreetingOn")
        self.greeting_text = self._message_box(body, "businessHoursGreetingText")
        self.preview = QLabel(body)
        self.preview.setObjectName("businessHoursPreview")
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("color: palette(placeholder-text);")
        self.error = QLabel(body)
        self.error.setObjectName("businessHoursError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.error.hide()
        inner = QVBoxLayout(body)
        inner.addWidget(self.notice)
        inner.addWidget(hint)
        inner.addLayout(week)
        for widget in (self.away_on, self.away_text, self.greeting_on, self.greeting_text):
            inner.addWidget(widget)
        inner.addWidget(self.preview)
        inner.addWidget(self.error)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("businessHoursSave")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        open_sized(self, 560, 600)
        self._inputs: list[QWidget] = [self.zone, self.away_on, self.away_text]
        self._inputs += [self.greeting_on, self.greeting_text, self.save_button]
        for day in self.days:
            self._inputs.append(day.open)
            day.open.toggled.connect(self.update_preview)
            day.opens.timeChanged.connect(self.update_preview)
            day.closes.timeChanged.connect(self.update_preview)
        self.zone.currentTextChanged.connect(self.update_preview)
        for box in (self.away_on, self.greeting_on):
            box.toggled.connect(self.update_preview)
        self.show_hours(default_hours(local_zone_name()), can_change=False)

    def _message_box(self, parent: QWidget, name: str) -> QPlainTextEdit:
        box = QPlainTextEdit(parent)
        box.setObjectName(name)
        box.setTabChangesFocus(True)
        box.setFixedHeight(64)
        box.textChanged.connect(self.update_preview)
        return box

    # --- showing ----------------------------------------------------------------

    def reload(self) -> None:
        self._runner.run(
            self._service.business_hours.load,
            lambda loaded: self.show_hours(
                loaded[0] or default_hours(local_zone_name()), can_change=loaded[1]
            ),
            self._failed,
        )

    def show_hours(self, hours: BusinessHours, *, can_change: bool) -> None:
        self.can_change = can_change
        self.zone.setCurrentText(hours.time_zone)
        for day, opening in zip(self.days, hours.week, strict=True):
            day.show(opening)
        self.away_on.setChecked(hours.away_on)
        self.away_text.setPlainText(hours.away_text)
        self.greeting_on.setChecked(hours.greeting_on)
        self.greeting_text.setPlainText(hours.greeting_text)
        for widget in self._inputs:
            widget.setEnabled(can_change)
        for day in self.days:
            day._enable(day.open.isChecked())
        self.notice.setVisible(not can_change)
        self.error.hide()
        self.update_preview()

    def form(self) -> BusinessHours:
        """The form as it would be saved; BusinessHoursRefused says what is wrong."""
        return BusinessHours(
            self.zone.currentText().strip(),
            tuple(day.read() for day in self.days),
            away_on=self.away_on.isChecked(),
            away_text=self.away_text.toPlainText(),
            greeting_on=self.greeting_on.isChecked(),
            greeting_text=self.greeting_text.toPlainText(),
        )

    def update_preview(self, *_: object) -> None:
        try:
            hours = self.form()
        except BusinessHoursRefused as refused:
            self.preview.setText(refused.sentence)
            return
        self.preview.setText(preview(hours, datetime.now(UTC)))

    # --- saving -----------------------------------------------------------------

    def save(self) -> None:
        try:
            hours = self.form()
        except BusinessHoursRefused as refused:
            self._failed(refused)
            return
        self.error.hide()
        self._runner.run(
            lambda: self._service.business_hours.save(hours), self.changed.emit, self._failed
        )

    def _failed(self, error: Exception) -> None:
        self.error.setText(error.sentence if isinstance(error, KnownError) else str(error))
        self.error.show()


def preview(hours: BusinessHours, now: datetime) -> str:
    """What a customer writing now would get, in words."""
    local = now.astimezone(hours.zone)
    said = f"Now it is {local:%A %H:%M} in {hours.time_zone}: "
    if closed_since(hours, now) is None:
        said += "open. "
        gets = ["the greeting"] if hours.greeting_on else []
    else:
        opens = next_opening(hours, now)
        said += f"closed until {opens.astimezone(hours.zone):%A %H:%M}. " if opens else "closed. "
        offered = ((hours.greeting_on, "the greeting"), (hours.away_on, "the away message"))
        gets = [what for on, what in offered if on]
    if not gets:
        return said + "Nobody gets an automatic message."
    return said + "A new customer writing now gets " + ", then ".join(gets) + "."


class WindowBusinessHours(QObject):
    """Team ▸ Business hours… in the main window; the dialog is read again when
    anyone of the team saves the hours.

    Signals: ``changed(object)``: the hours were saved here (Changes)."""

    changed = Signal(object)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        menu: QMenu,
        parent: QWidget,
        identity: Identity | None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._parent = parent
        self.dialog: BusinessHoursDialog | None = None
        self.action = QAction("Business hours…", menu)
        # beside Quick replies…, before the separator it ends its group with
        last = menu.actions()[-1] if menu.actions() else None
        if last is not None and last.isSeparator():
            menu.insertAction(last, self.action)
        else:
            menu.addAction(self.action)
        self.action.setObjectName("businessHoursAction")
        self.action.setToolTip("Opening hours, the away message and the greeting")
        self.action.triggered.connect(self.open_dialog)
        self.action.setEnabled(identity is not None)

    def open_dialog(self) -> BusinessHoursDialog | None:
        if not self.action.isEnabled():
            return None
        if self.dialog is None:
            self.dialog = BusinessHoursDialog(self._service, self._runner, self._parent)
            self.dialog.changed.connect(self.changed.emit)
        self.dialog.reload()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def apply_changes(self, changes: Changes) -> None:
        """Saved here or by a teammate: an open dialog shows them as they are now."""
        if changes.business_hours and self.dialog is not None and self.dialog.isVisible():
            self.dialog.reload()
