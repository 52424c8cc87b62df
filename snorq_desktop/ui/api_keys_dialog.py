"""Team ▸ API keys…: the organisation's keys for the REST API (Business plan).

Making a key shows it once, with Copy (only its hash is kept); the list shows
each key's name, first characters, role, maker and last use; revoking asks
first.  The database decides who may (an owner or admin, a role no higher
than their own, the Business plan) and says why not; this page shows it.
"""

from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.api_keys import ApiKeyInfo, NewApiKey
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.identity import Identity
from snorq_desktop.ui.invite_dialog import ROLE_NAMES
from snorq_desktop.ui.problems import sentence_of
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.team_menu import add_kept_dialog

_Index = QModelIndex | QPersistentModelIndex


class ApiKeyActions(Protocol):
    """services.api_keys.ApiKeyService; blocking."""

    def create(self, identity: Identity, name: str, role: MemberRole) -> NewApiKey: ...

    def all(self, identity: Identity) -> list[ApiKeyInfo]: ...

    def revoke(self, identity: Identity, key: str) -> str: ...


def _when(moment: Any) -> str:
    return f"{moment:%d %b %Y %H:%M}" if moment is not None else "never"


class ApiKeysModel(QAbstractTableModel):
    HEADERS = ("Name", "Key", "Role", "Made by", "Last used", "State")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys: list[ApiKeyInfo] = []

    def set_keys(self, keys: list[ApiKeyInfo]) -> None:
        self.beginResetModel()
        self.keys = keys
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.keys)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        key = self.keys[index.row()]
        state = f"revoked {_when(key.revoked_at)}" if key.revoked_at else "in use"
        return (
            key.name,
            key.prefix,
            ROLE_NAMES[key.role],
            key.made_by or "",
            _when(key.last_used_at),
            state,
        )[index.column()]


class ApiKeysDialog(QDialog):
    def __init__(
        self,
        actions: ApiKeyActions,
        runner: TaskRunner,
        identity: Identity,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._actions = actions
        self._runner = runner
        self._identity = identity
        self.setWindowTitle(f"API keys — {identity.organization_name}")
        self.resize(720, 420)
        self.model = ApiKeysModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("apiKeysTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("What it is for, e.g. web shop")
        self.role = QComboBox(self)
        for role in (MemberRole.MEMBER, MemberRole.ADMIN, MemberRole.OWNER):
            self.role.addItem(ROLE_NAMES[role], role)
        self.make_button = QPushButton("Make key", self)
        self.revoke_button = QPushButton("Revoke…", self)
        self.revoke_button.setEnabled(False)
        self.key = QLineEdit(self)
        self.key.setObjectName("newApiKey")
        self.key.setReadOnly(True)
        self.key.hide()
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.hide()
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c0392b")
        making = QHBoxLayout()
        for widget in (self.name, self.role, self.make_button):
            making.addWidget(widget)
        shown = QHBoxLayout()
        shown.addWidget(self.key, 1)
        shown.addWidget(self.copy_button)
        below = QHBoxLayout()
        below.addWidget(self.revoke_button)
        below.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(below)
        layout.addLayout(making)
        layout.addLayout(shown)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        self.make_button.clicked.connect(self.make)
        self.copy_button.clicked.connect(self.copy)
        self.revoke_button.clicked.connect(lambda: self.revoke())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._follow_selection())
        self.reload()

    def reload(self) -> None:
        self._runner.run(lambda: self._actions.all(self._identity), self._show, self._failed)

    def _show(self, keys: list[ApiKeyInfo]) -> None:
        self.model.set_keys(keys)
        self._follow_selection()

    def _selected(self) -> ApiKeyInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.keys[rows[0].row()] if rows else None

    def _follow_selection(self) -> None:
        chosen = self._selected()
        self.revoke_button.setEnabled(chosen is not None and chosen.revoked_at is None)

    def _failed(self, error: Exception) -> None:
        self.error.setText(sentence_of(error))
        self.make_button.setEnabled(True)

    def make(self) -> None:
        # A Qt combo box may hand the enum back as its text.
        name, role = self.name.text(), MemberRole(self.role.currentData())
        self.error.clear()
        self.make_button.setEnabled(False)
        self._runner.run(
            lambda: self._actions.create(self._identity, name, role), self._made, self._failed
        )

    def _made(self, made: NewApiKey) -> None:
        self.make_button.setEnabled(True)
        self.name.clear()
        self.key.setText(made.key)
        self.key.show()
        self.copy_button.show()
        self.note.setText(
            f"This is the only time “{made.info.name}” is shown: copy it into the system that "
            "will use it. SNORQ keeps only a fingerprint of it."
        )
        self.reload()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.key.text())
        self.note.setText("Copied. Paste it where it is needed; it is not shown again.")

    def revoke(self, *, confirmed: bool = False) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        if not confirmed:
            answer = QMessageBox.question(
                self,
                "Revoke API key",
                f"Revoke “{chosen.name}”? Whatever uses it stops working at once, and it "
                "cannot be turned back on.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.error.clear()
        self._runner.run(
            lambda: self._actions.revoke(self._identity, chosen.id),
            lambda _: self.reload(),
            self._failed,
        )

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        # The key is shown once: closing forgets it.
        self.key.clear()
        self.key.hide()
        self.copy_button.hide()
        self.note.clear()
        super().closeEvent(event)


def add_api_keys_menu(
    menu: QMenu, window: QWidget, actions: ApiKeyActions, runner: TaskRunner, identity: Identity
) -> QAction:
    """Team ▸ API keys… on the window's Team menu."""
    return add_kept_dialog(
        menu, "API keys…", "apiKeysAction", lambda: ApiKeysDialog(actions, runner, identity, window)
    )
