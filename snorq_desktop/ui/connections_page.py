"""Team ▸ Connections…: the organisation's platform connections, connecting
new ones through the system browser (or the WhatsApp form), reconnecting,
disconnecting, deleting, and the business's own app credentials.

Logins wait minutes for a person in a browser: they run on a worker of this
page's own, never on the inbox's."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.connections import (
    ConnectionRow,
    DeletionImpact,
    FacebookPage,
    WhatsAppSetup,
)
from snorq_desktop.domain.enums import ConnectionStatus, Platform
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.inbox import PLATFORM_NAMES
from snorq_desktop.services.connections import ConnectionsService
from snorq_desktop.services.worker import DatabaseWorker
from snorq_desktop.ui.formatting import relative_time
from snorq_desktop.ui.link_to_copy import LinkToCopy
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.whatsapp_form import WhatsAppForm
from snorq_desktop.ui.window_fit import open_sized

ConnectionIdRole = Qt.ItemDataRole.UserRole + 1
STATUS_COLOURS = {
    ConnectionStatus.ACTIVE: "#1e7b34",
    ConnectionStatus.EXPIRED: "#b3261e",
    ConnectionStatus.ERROR: "#b3261e",
    ConnectionStatus.DISCONNECTED: "#6b6b6b",
}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _last_sync(connection: ConnectionRow, now: datetime) -> str:
    """A disconnected connection is not syncing, however recently it last did."""
    if connection.status is ConnectionStatus.DISCONNECTED:
        return "not syncing"
    return relative_time(connection.last_sync_at, now) if connection.last_sync_at else "never"


class ConnectionsPage(QDialog):
    """Signals:
    - ``connected(str)``: a connection was made or renewed (its id): the sync
      engine should look at it now rather than at its next pass;
    - ``states_changed()``: a connection was made, renewed, disconnected or
      deleted here: every view showing a connection's state looks again.
    """

    connected = Signal(str)
    states_changed = Signal()

    def __init__(
        self, service: ConnectionsService, worker: DatabaseWorker, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Platform connections")
        self.setObjectName("connectionsPage")
        self._service = service
        # Its tasks wait minutes (a browser login): the long lane.
        self._runner = TaskRunner(worker, self, long=True)
        self.rows: list[ConnectionRow] = []
        self._focus: str | None = None
        self.whatsapp_form: WhatsAppForm | None = None
        self.logging_in = False

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("connectionsTable")
        self.table.setHorizontalHeaderLabels(
            ["Platform", "Account", "Status", "Last sync", "Last error"]
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.reconnect_button = QPushButton("Reconnect…", self)
        self.disconnect_button = QPushButton("Disconnect", self)
        self.delete_button = QPushButton("Delete…", self)
        self.reconnect_button.clicked.connect(self.reconnect_selected)
        self.disconnect_button.clicked.connect(self.disconnect_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        manage = QHBoxLayout()
        for button in (self.reconnect_button, self.disconnect_button, self.delete_button):
            manage.addWidget(button)
        manage.addStretch(1)

        self.messenger_button = QPushButton("Connect Messenger…", self)
        self.tiktok_button = QPushButton("Connect TikTok…", self)
        self.whatsapp_button = QPushButton("Connect WhatsApp…", self)
        self.cancel_button = QPushButton("Cancel login", self)
        self.cancel_button.hide()
        self.messenger_button.clicked.connect(self.connect_messenger)
        self.tiktok_button.clicked.connect(self.connect_tiktok)
        self.whatsapp_button.clicked.connect(lambda: self.connect_whatsapp())
        self.cancel_button.clicked.connect(self._service.cancel_login)
        connect = QHBoxLayout()
        for button in (
            self.messenger_button,
            self.tiktok_button,
            self.whatsapp_button,
            self.cancel_button,
        ):
            connect.addWidget(button)
        connect.addStretch(1)

        self.meta_app_id = QLineEdit(self)
        self.meta_app_secret = QLineEdit(self)
        self.tiktok_client_key = QLineEdit(self)
        self.tiktok_client_secret = QLineEdit(self)
        for secret in (self.meta_app_secret, self.tiktok_client_secret):
            secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_meta_button = QPushButton("Save", self)
        self.save_tiktok_button = QPushButton("Save", self)
        self.save_meta_button.clicked.connect(
            lambda: self._save_app("META", self.meta_app_id, self.meta_app_secret)
        )
        self.save_tiktok_button.clicked.connect(
            lambda: self._save_app("TIKTOK", self.tiktok_client_key, self.tiktok_client_secret)
        )
        apps = QGroupBox("Your apps (WhatsApp and Messenger use your Meta app)", self)
        apps_form = QFormLayout(apps)
        apps_form.addRow("Meta app id", self.meta_app_id)
        apps_form.addRow(
            "Meta app secret", self._with_button(self.meta_app_secret, self.save_meta_button)
        )
        apps_form.addRow("TikTok client key", self.tiktok_client_key)
        apps_form.addRow(
            "TikTok client secret",
            self._with_button(self.tiktok_client_secret, self.save_tiktok_button),
        )

        self.status = QLabel(self)
        self.status.setObjectName("connectionsStatus")
        self.status.setWordWrap(True)
        # A login whose browser could not be opened shows its link here and waits.
        self.link = LinkToCopy("to log in and allow access", self)
        service.show_links_with(self.link.show_link_from_any_thread)
        self.finished.connect(lambda _: service.show_links_with(None))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(manage)
        layout.addLayout(connect)
        layout.addWidget(self.status)
        layout.addWidget(self.link)
        layout.addWidget(apps)
        open_sized(self, 760, 520)
        self._update_buttons()
        self.refresh()

    def _with_button(self, field: QLineEdit, button: QPushButton) -> QWidget:
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        row.addWidget(button)
        return holder

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self._runner.run(work, done, self._failed)

    def _failed(self, error: Exception) -> None:
        self._logging_in(False)
        self.status.setText(
            error.sentence
            if isinstance(error, KnownError)
            else "Something went wrong; the details are in the log file."
        )

    # --- the list ---------------------------------------------------------------------

    def refresh(self) -> None:
        self._run(self._service.connections, self._show_rows)
        self._run(self._service.app_ids, self._show_apps)

    def show_connection(self, connection_id: str) -> None:
        """Select this connection (now, or once the list has come)."""
        self._focus = connection_id
        self._select_focus()

    def _select_focus(self) -> None:
        for row, connection in enumerate(self.rows):
            if connection.id == self._focus:
                self.table.selectRow(row)
                self.table.setFocus()

    def _show_rows(self, rows: list[ConnectionRow]) -> None:
        self.rows = rows
        now = datetime.now(UTC)
        self.table.setRowCount(len(rows))
        for row, connection in enumerate(rows):
            values = [
                PLATFORM_NAMES[connection.platform],
                connection.account_name,
                connection.status.value,
                _last_sync(connection, now),
                connection.error_message or "",
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(ConnectionIdRole, connection.id)
                if column == 2:
                    item.setForeground(QColor(STATUS_COLOURS[connection.status]))
                if column == 4 and value:
                    item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self._select_focus()
        self._update_buttons()

    def _show_apps(self, app_ids: dict[str, str]) -> None:
        for provider, field, secret in (
            ("META", self.meta_app_id, self.meta_app_secret),
            ("TIKTOK", self.tiktok_client_key, self.tiktok_client_secret),
        ):
            if provider in app_ids:
                field.setText(app_ids[provider])
                secret.setPlaceholderText("saved, sealed — type a new one to replace it")

    def selected(self) -> ConnectionRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def _update_buttons(self) -> None:
        chosen = self.selected()
        idle = not self.logging_in
        self.reconnect_button.setEnabled(idle and chosen is not None)
        self.disconnect_button.setEnabled(
            idle and chosen is not None and chosen.status is not ConnectionStatus.DISCONNECTED
        )
        self.delete_button.setEnabled(idle and chosen is not None)
        for button in (self.messenger_button, self.tiktok_button, self.whatsapp_button):
            button.setEnabled(idle)

    # --- apps ---------------------------------------------------------------------------

    def _save_app(self, provider: str, app_id: QLineEdit, secret: QLineEdit) -> None:
        identifier, value = app_id.text(), secret.text()

        def saved(_: object) -> None:
            secret.clear()
            self.status.setText("Saved; the secret is stored sealed, like the tokens.")
            self._run(self._service.app_ids, self._show_apps)

        self._run(lambda: self._service.save_app(provider, identifier, value), saved)

    # --- connecting -------------------------------------------------------------------

    def _logging_in(self, busy: bool, sentence: str = "") -> None:
        self.logging_in = busy
        self.cancel_button.setVisible(busy)
        if not busy:
            self.link.forget()
        if sentence:
            self.status.setText(sentence)
        self._update_buttons()

    def _made(self, connection_id: str, sentence: str) -> None:
        self._logging_in(False, sentence)
        self._focus = connection_id
        self.connected.emit(connection_id)
        self.states_changed.emit()
        self.refresh()

    def connect_messenger(self) -> None:
        self._logging_in(True, "Log in to Facebook in your browser and allow access to the page…")
        self._run(self._service.facebook_pages, self._pages_found)

    def _pages_found(self, pages: list[FacebookPage]) -> None:
        page = self.choose_page(pages)
        if page is None:
            self._logging_in(False, "No page was chosen; nothing was connected.")
            return
        self._run(
            lambda: self._service.connect_page(page),
            lambda connection_id: self._made(
                connection_id, f"Messenger is connected to the page {page.name}."
            ),
        )

    def choose_page(self, pages: list[FacebookPage]) -> FacebookPage | None:
        if len(pages) == 1:
            return pages[0]
        names = [page.name for page in pages]
        name, chosen = QInputDialog.getItem(
            self, "Choose the page", "Whose Messenger conversations:", names, 0, False
        )
        return pages[names.index(name)] if chosen and name in names else None

    def connect_tiktok(self) -> None:
        self._logging_in(True, "Log in to your TikTok Business Account in your browser…")
        self._run(
            self._service.connect_tiktok,
            lambda connection_id: self._made(connection_id, "TikTok is connected."),
        )

    def connect_whatsapp(self, phone_number_id: str = "") -> WhatsAppForm:
        form = WhatsAppForm(self._submit_whatsapp, phone_number_id, self)
        self.whatsapp_form = form
        form.show()
        return form

    def _submit_whatsapp(self, phone_number_id: str, account_id: str, token: str) -> None:
        form = self.whatsapp_form

        def done(setup: WhatsAppSetup) -> None:
            if form is not None:
                form.connected(setup)
            self.status.setText("WhatsApp is connected.")
            self.connected.emit(phone_number_id)
            self.states_changed.emit()
            self.refresh()

        def failed(error: Exception) -> None:
            if form is not None:
                form.failed(error)

        self._runner.run(
            lambda: self._service.connect_whatsapp(phone_number_id, account_id, token),
            done,
            failed,
        )

    # --- managing ---------------------------------------------------------------------------

    def reconnect_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if chosen.platform is Platform.FACEBOOK:
            self.connect_messenger()
        elif chosen.platform is Platform.TIKTOK:
            self.connect_tiktok()
        else:
            self.connect_whatsapp(chosen.platform_user_id)

    def disconnect_question(self, chosen: ConnectionRow) -> str:
        return (
            f"Disconnect {PLATFORM_NAMES[chosen.platform]} “{chosen.account_name}”? No new "
            "messages come in and no replies go out from it, for the whole team, until it is "
            "reconnected. Its conversations and messages stay here."
        )

    def disconnect_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        answer = QMessageBox.question(
            self,
            "Disconnect",
            self.disconnect_question(chosen),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._run(
            lambda: self._service.disconnect(chosen.id),
            lambda _: self._after(
                f"{PLATFORM_NAMES[chosen.platform]} is disconnected; its conversations stay "
                "here. Reconnect it to send and receive again."
            ),
        )

    def delete_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self._run(
            lambda: self._service.deletion_impact(chosen.id),
            lambda impact: self._confirm_delete(chosen, impact),
        )

    def deletion_question(self, chosen: ConnectionRow, impact: DeletionImpact) -> str:
        return (
            f"Delete the {PLATFORM_NAMES[chosen.platform]} connection “{chosen.account_name}”? "
            f"{_plural(impact.conversations, 'conversation')} and "
            f"{_plural(impact.messages, 'message')} go with it, for the whole team. "
            "This cannot be undone; Disconnect keeps them."
        )

    def _confirm_delete(self, chosen: ConnectionRow, impact: DeletionImpact) -> None:
        answer = QMessageBox.question(
            self,
            "Delete connection",
            self.deletion_question(chosen, impact),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._run(
            lambda: self._service.delete(chosen.id),
            lambda gone: self._after(
                f"Deleted, with {_plural(gone.conversations, 'conversation')} and "
                f"{_plural(gone.messages, 'message')}."
            ),
        )

    def _after(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.states_changed.emit()
        self.refresh()

    def done(self, result: int) -> None:
        self._service.cancel_login()  # a browser login in progress ends at once
        self._runner.stop()
        super().done(result)
