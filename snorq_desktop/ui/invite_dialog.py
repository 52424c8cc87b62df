"""Invite someone: an email and a role in, the code to copy out."""

from typing import Protocol

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.roles import can_grant
from snorq_desktop.ui.problems import sentence_of
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.window_fit import grows_with_its_text

MIN_WIDTH = 460

ROLE_NAMES = {MemberRole.OWNER: "Owner", MemberRole.ADMIN: "Admin", MemberRole.MEMBER: "Member"}


class Inviter(Protocol):
    def invite(self, identity: Identity, email: str, role: MemberRole) -> str: ...


class InviteDialog(QDialog):
    """An email and a role in; the code to copy out."""

    def __init__(
        self,
        actions: Inviter,
        runner: TaskRunner,
        identity: Identity,
        my_role: MemberRole,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Invite someone")
        # Wide enough for its title and an address; grows for its sentences.
        self.setMinimumWidth(MIN_WIDTH)
        grows_with_its_text(self)
        self._actions, self._runner, self._identity = actions, runner, identity
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("their Google address")
        self.role = QComboBox(self)
        for role in (MemberRole.MEMBER, MemberRole.ADMIN):
            if can_grant(my_role, role):
                self.role.addItem(ROLE_NAMES[role], role)
        self.make_button = QPushButton("Make invite code", self)
        self.code = QPlainTextEdit(self)
        self.code.setObjectName("inviteCode")
        self.code.setReadOnly(True)
        self.code.hide()
        self.copy_button = QPushButton("Copy code", self)
        self.copy_button.hide()
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c0392b")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        form = QFormLayout()
        form.addRow("Email", self.email)
        form.addRow("Role", self.role)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.make_button)
        layout.addWidget(self.code)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(close)
        close.rejected.connect(self.reject)
        self.make_button.clicked.connect(self.make)
        self.copy_button.clicked.connect(self.copy)

    def make(self) -> None:
        # Qt hands the StrEnum put in the combo back as plain text.
        email, role = self.email.text(), MemberRole(self.role.currentData())
        self.error.clear()
        self.make_button.setEnabled(False)
        self._runner.run(
            lambda: self._actions.invite(self._identity, email, role),
            self._made,
            self._failed,
        )

    def _failed(self, error: Exception) -> None:
        self.error.setText(sentence_of(error))
        self.make_button.setEnabled(True)

    def _made(self, code: str) -> None:
        self.code.setPlainText(code)
        self.code.show()
        self.copy_button.show()
        self.note.setText(
            f"Send this code to {self.email.text().strip()}. It works once, for seven days, "
            "and only for that Google address. Give them the team database's password "
            "separately: the code does not carry it."
        )

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code.toPlainText())
        self.note.setText("Copied. " + self.note.text().removeprefix("Copied. "))
