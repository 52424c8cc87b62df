"""Team ▸ Database…: where the team's shared PostgreSQL is, testing it,
migrating it, and moving the built-in data into it.

Everything that touches a database runs on a worker of this page's own, so a
long move never holds up the inbox (which keeps its worker)."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.team_database import (
    SSL_MODE_TITLES,
    SslMode,
    TeamDatabase,
    TransferReport,
)
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.services.team_database import ConnectionCheck, TeamDatabaseService
from snorq_desktop.services.worker import DatabaseWorker
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.window_fit import open_sized


class TeamDatabasePage(QDialog):
    """Signals:
    - ``switched(str)``: the app will use the team database from the next start
      (where it is);
    - ``_progressed(int, int)``: internal, rows copied / in all, from the worker.
    """

    switched = Signal(str)
    _progressed = Signal(int, int)

    def __init__(
        self,
        service: TeamDatabaseService,
        current: TeamDatabase | None,
        worker: DatabaseWorker,
        parent: QWidget | None = None,
        *,
        cannot_move: str = "",
    ) -> None:
        """``cannot_move``: why "Move my data here" cannot work in this app (the
        demo; data already in a team database), said beside the button."""
        super().__init__(parent)
        self.setWindowTitle("Team database")
        self.setObjectName("teamDatabasePage")
        self._service = service
        self.working = False
        # Its tasks wait minutes (a data move): the long lane.
        self._runner = TaskRunner(worker, self, long=True)

        self.host = QLineEdit(self)
        self.host.setPlaceholderText("db.example.com")
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit(self)
        self.database.setPlaceholderText("snorq")
        self.user = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sslmode = QComboBox(self)
        for mode in SslMode:
            self.sslmode.addItem(SSL_MODE_TITLES[mode], mode.value)  # Qt keeps it as a str
        # Encrypted whenever the server can: Test connection says so if it cannot.
        self.sslmode.setCurrentIndex(self.sslmode.findData(SslMode.PREFER.value))
        self.root_certificate = QLineEdit(self)
        self.root_certificate.setPlaceholderText("the root certificate file (.crt, .pem)")
        self.choose_certificate = QPushButton("Choose…", self)
        self.choose_certificate.clicked.connect(self._choose_certificate)
        certificate_row = QWidget(self)
        row = QHBoxLayout(certificate_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.root_certificate, 1)
        row.addWidget(self.choose_certificate)
        self._certificate_row = certificate_row

        form = QFormLayout()
        form.addRow("Host", self.host)
        form.addRow("Port", self.port)
        form.addRow("Database", self.database)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("Encryption (sslmode)", self.sslmode)
        form.addRow("Root certificate", certificate_row)
        self._form = form

        self.test_button = QPushButton("Test connection", self)
        self.migrate_button = QPushButton("Migrate", self)
        self.move_button = QPushButton("Move my data here", self)
        self.use_button = QPushButton("Use this database", self)
        self.move_button.setEnabled(service.can_move)
        self.move_button.setToolTip(
            "Copies every conversation and message of the built-in database into the team "
            "database, then uses it. Nothing is copied if anything goes wrong."
        )
        self.test_button.clicked.connect(self.test_connection)
        self.migrate_button.clicked.connect(self.migrate)
        self.move_button.clicked.connect(self.move_here)
        self.use_button.clicked.connect(self.use)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.migrate_button, self.move_button, self.use_button):
            buttons.addWidget(button)
        self.move_reason = QLabel(f"Move my data here: {cannot_move}", self)
        self.move_reason.setObjectName("moveReason")
        self.move_reason.setWordWrap(True)
        self.move_reason.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.move_reason.setVisible(not service.can_move and bool(cannot_move))

        self.status = QLabel(self)
        self.status.setObjectName("teamDatabaseStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%v of %m rows")
        self.progress.hide()
        self.counts = QTableWidget(0, 4, self)
        self.counts.setHorizontalHeaderLabels(["Table", "Built-in", "Copied", "Checked"])
        self.counts.verticalHeader().hide()
        self.counts.horizontalHeader().setStretchLastSection(True)
        self.counts.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.move_reason)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.counts, 1)
        self.sslmode.currentIndexChanged.connect(lambda _: self._show_certificate_row())
        self._progressed.connect(self._show_progress)
        if current is not None:
            self.show_address(current)
        self._show_certificate_row()
        open_sized(self, 620, 460)

    # --- the form -----------------------------------------------------------------

    def show_address(self, address: TeamDatabase) -> None:
        self.host.setText(address.host)
        self.port.setValue(address.port)
        self.database.setText(address.database)
        self.user.setText(address.user)
        self.password.setText(address.password.reveal() if address.password else "")
        self.sslmode.setCurrentIndex(self.sslmode.findData(address.sslmode.value))
        self.root_certificate.setText(address.root_certificate or "")

    def address(self) -> TeamDatabase:
        password = self.password.text()
        mode = self.chosen_sslmode()
        return TeamDatabase(
            host=self.host.text(),
            port=self.port.value(),
            database=self.database.text(),
            user=self.user.text(),
            password=SecretToken(password) if password else None,
            sslmode=mode,
            root_certificate=self.root_certificate.text() or None,
        )

    def chosen_sslmode(self) -> SslMode:
        return SslMode(self.sslmode.currentData())

    def _show_certificate_row(self) -> None:
        self._form.setRowVisible(self._certificate_row, self.chosen_sslmode().checks_certificate)

    def _choose_certificate(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Root certificate", "", "Certificates (*.crt *.pem *.cer);;All files (*)"
        )
        if chosen:
            self.root_certificate.setText(chosen)

    # --- the actions ----------------------------------------------------------------

    def _busy(self, busy: bool, sentence: str = "") -> None:
        self.working = busy
        for button in (self.test_button, self.migrate_button, self.use_button):
            button.setEnabled(not busy)
        self.move_button.setEnabled(not busy and self._service.can_move)
        if sentence:
            self.status.setText(sentence)

    def _failed(self, error: Exception) -> None:
        self._busy(False)
        self.progress.hide()
        if isinstance(error, KnownError):
            self.status.setText(error.sentence)
        else:
            self.status.setText("Something went wrong; the details are in the log file.")

    def test_connection(self) -> None:
        address = self.address()
        self._busy(True, f"Connecting to {address.host}…")
        self._runner.run(lambda: self._service.test_connection(address), self._tested, self._failed)

    def _tested(self, check: ConnectionCheck) -> None:
        self._busy(False, check.sentence)

    def migrate(self) -> None:
        address = self.address()
        self._busy(True, "Upgrading the team database's schema…")
        self._runner.run(
            lambda: self._service.migrate(address),
            lambda status: self._busy(
                False, f"The team database's schema is up to date ({status.current})."
            ),
            self._failed,
        )

    def move_here(self) -> None:
        address = self.address()
        answer = QMessageBox.question(
            self,
            "Move my data",
            f"Copy every conversation and message of the built-in database to {address.host}, "
            "and use that database from the next start? The built-in database is kept as it is.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.start_move(address)

    def start_move(self, address: TeamDatabase) -> None:
        self._busy(True, f"Copying to {address.host}…")
        self.counts.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        self._runner.run(
            lambda: self._service.move_here(address, self._progressed.emit),
            lambda report: self._moved(address, report),
            self._failed,
        )

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _moved(self, address: TeamDatabase, report: TransferReport) -> None:
        self._busy(False)
        tables = report.tables
        self.counts.setRowCount(len(tables))
        for row, count in enumerate(tables):
            values = [
                count.table,
                f"{count.source_rows:,}",
                f"{count.copied_rows:,}",
                "✓" if count.agrees else "✗",
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.counts.setItem(row, column, item)
        self.counts.resizeColumnsToContents()
        self.counts.show()
        rows = report.rows
        self.status.setText(
            f"Moved {rows:,} rows to {address.where}; every table's count checks out. "
            "Close and reopen SNORQ Desktop to work on the team database."
        )
        self.switched.emit(address.where)

    def use(self) -> None:
        address = self.address()
        self._busy(True, f"Connecting to {address.host}…")
        self._runner.run(
            lambda: self._service.use(address),
            lambda _: self._used(address),
            self._failed,
        )

    def _used(self, address: TeamDatabase) -> None:
        self._busy(False, f"Close and reopen SNORQ Desktop to work on {address.where}.")
        self.switched.emit(address.where)

    def done(self, result: int) -> None:
        if self.working:
            # Closing mid-move would wait on it with the window frozen; the move
            # is one transaction, so there is no half-way to stop at anyway.
            self.status.setText("Wait until this finishes; nothing is kept half-way.")
            return
        self._runner.stop()
        super().done(result)
