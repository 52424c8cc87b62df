"""Team ▸ Plan…: the shop's plan, what each plan gives, how to get one, and
entering the licence SNORQ sent; and the banner that warns before a licence
ends (and says when the Free plan's rules apply)."""

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.licence import PlanStatus, day, plan_rows
from snorq_desktop.domain.plans import plan_label
from snorq_desktop.ui.problems import sentence_of
from snorq_desktop.ui.tasks import TaskRunner

CHANGES = (
    "Upgrading takes effect at once for every app of the team: more seats for invites, "
    "and history is kept from then on (nothing the Free plan already removed comes back). "
    "When a licence ends, or a shop goes back to Free, nobody is removed and nothing is "
    "deleted that day: members keep reading, new invites wait for a free seat, and messages "
    "older than 30 days are removed only after a week's warning in the window."
)


class PlanActions(Protocol):
    def status(self, organization_id: str) -> PlanStatus: ...

    def activate(self, identity: Identity, text: str) -> PlanStatus: ...


class PlanPage(QDialog):
    """Signals: ``changed(object)``: a licence was entered here (the new PlanStatus)."""

    changed = Signal(object)

    def __init__(
        self,
        actions: PlanActions,
        runner: TaskRunner,
        identity: Identity,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("planPage")
        self.setWindowTitle("Plan")
        self._actions = actions
        self._runner = runner
        self._identity = identity
        self.status: PlanStatus | None = None

        self.summary = QLabel("…", self)
        self.summary.setObjectName("planSummary")
        self.summary.setStyleSheet("font-size:15px;font-weight:600")
        self.details = QLabel(self)
        self.details.setObjectName("planDetails")
        self.details.setWordWrap(True)
        self.licence_line = QLabel(self)
        self.licence_line.setObjectName("planLicence")
        self.licence_line.setWordWrap(True)

        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("planTable")
        self.table.setHorizontalHeaderLabels(["Plan", "Seats", "History kept", "API access"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, cells in enumerate(plan_rows()):
            self.table.insertRow(row)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(cell))
        self.table.resizeColumnsToContents()
        # Every plan in sight: a maximum alone let the layout squeeze it to a
        # row and a half, Business hidden behind a scroll bar.
        rows = sum(self.table.rowHeight(row) for row in range(self.table.rowCount()))
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + rows + 2 * self.table.frameWidth())

        changes = QLabel(CHANGES, self)
        changes.setWordWrap(True)
        self.how_to = QLabel(self)
        self.how_to.setObjectName("planHowTo")
        self.how_to.setWordWrap(True)
        self.how_to.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.licence_text = QPlainTextEdit(self)
        self.licence_text.setObjectName("licenceText")
        self.licence_text.setPlaceholderText("Paste the licence SNORQ sent (snorq-licence-v1.…)")
        self.licence_text.setMaximumHeight(80)
        self.open_button = QPushButton("Open file…", self)
        self.open_button.setObjectName("licenceOpenButton")
        self.open_button.clicked.connect(lambda: self.open_file())
        self.enter_button = QPushButton("Enter licence", self)
        self.enter_button.setObjectName("licenceEnterButton")
        self.enter_button.clicked.connect(lambda: self.enter(self.licence_text.toPlainText()))
        self.error = QLabel(self)
        self.error.setObjectName("licenceError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b42318")

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.enter_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (self.summary, self.details, self.licence_line, self.table, changes):
            layout.addWidget(widget)
        layout.addWidget(_heading("How to get a plan", self))
        layout.addWidget(self.how_to)
        layout.addWidget(_heading("Enter licence…", self))
        layout.addWidget(self.licence_text)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.resize(560, 620)
        self.reload()

    def reload(self) -> None:
        org = self._identity.organization_id
        self._runner.run(lambda: self._actions.status(org), self.show_status)

    def show_status(self, status: PlanStatus) -> None:
        self.status = status
        name = plan_label(status.plan)
        self.summary.setText(f"{name} plan: {status.members} of {status.seats} seat(s) used")
        self.details.setText(
            f"History kept: {status.history}. API access: {'yes' if status.api_access else 'no'}."
        )
        if status.problem:
            self.licence_line.setText(status.problem)
        elif status.licence is not None:
            ends = day(status.licence.expires_at)
            self.licence_line.setText(
                f"Licence for {status.licence.organization_slug}: "
                f"{plan_label(status.licence.plan)}, ends on {ends}."
                + (f" {status.warning}" if status.warning else "")
            )
        elif status.plan is PlanType.FREE:
            self.licence_line.setText("No licence entered: the Free plan, 1 seat.")
        else:
            self.licence_line.setText(
                "No licence entered: this plan was set by the team database's administrator."
            )
        self.how_to.setText(
            "Order Pro (3 seats, all history) or Business (4 seats, all history, API access) "
            "from SNORQ, giving your organisation's address and id:\n"
            f"    address: {status.slug}\n    id: {self._identity.organization_id}\n"
            "SNORQ sends a licence (a short text or a .licence file). The owner enters it "
            "below, or runs `snorq-desktop plan activate FILE`; every app of the team then "
            "follows it."
        )

    def open_file(self, path: Path | None = None) -> None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, "Open a licence", "", "Licences (*.licence *.txt);;All files (*)"
            )
            if not chosen:
                return
            path = Path(chosen)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            self.error.setText(f"{path} could not be read: {error.strerror or error}.")
            return
        self.licence_text.setPlainText(text.strip())
        self.enter(text)

    def enter(self, text: str) -> None:
        self.error.clear()
        if not text.strip():
            self.error.setText("Paste the licence SNORQ sent, or open the licence file.")
            return
        self.enter_button.setEnabled(False)
        identity = self._identity
        self._runner.run(
            lambda: self._actions.activate(identity, text), self._entered, self._failed
        )

    def _entered(self, status: PlanStatus) -> None:
        self.enter_button.setEnabled(True)
        self.licence_text.clear()
        self.show_status(status)
        self.changed.emit(status)

    def _failed(self, error: Exception) -> None:
        self.enter_button.setEnabled(True)
        self.error.setText(sentence_of(error))


class PlanBanner(QLabel):
    """Above the columns: a licence ends within 14 days, or has ended, or is not SNORQ's."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planBanner")
        self.setWordWrap(True)
        self.setStyleSheet("background:#dbeafe;color:#1f2328;padding:6px 12px")
        self.hide()

    def show_status(self, status: PlanStatus) -> None:
        if status.banner is None:
            self.hide()
        else:
            self.setText(status.banner)
            self.show()


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet("font-weight:600;margin-top:8px")
    return label
