"""Team ▸ Members…: who is in the organisation, with which role; OWNER and
ADMIN invite, change roles and remove; the OWNER transfers ownership.

The buttons follow the rules (domain/roles.py) so a person sees at once what
they may do and, when they may not, why; the store enforces the same rules,
so this screen is a courtesy, not the guard.
"""

import html
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.roles import can_grant, can_manage_members, rank
from snorq_desktop.services.team import Team
from snorq_desktop.ui.invite_dialog import ROLE_NAMES, InviteDialog
from snorq_desktop.ui.problems import sentence_of
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.team_menu import add_kept_dialog
from snorq_desktop.ui.window_fit import open_sized

_Index = QModelIndex | QPersistentModelIndex


class TeamActions(Protocol):
    """What the page asks of the app (sync.team_service.TeamService); blocking."""

    @property
    def invite_refusal(self) -> str | None:
        """Why no invite can be made from here (None: it can)."""
        ...

    def team(self, identity: Identity) -> Team: ...

    def invite(self, identity: Identity, email: str, role: MemberRole) -> str: ...

    def cancel_invite(self, identity: Identity, invite_id: str) -> None: ...

    def change_role(self, identity: Identity, user_id: str, role: MemberRole) -> None: ...

    def remove(self, identity: Identity, user_id: str) -> None: ...

    def transfer_ownership(self, identity: Identity, user_id: str) -> None: ...


class TeamModel(QAbstractTableModel):
    """Members first, then pending invites, as rows of (name, email, role)."""

    HEADERS = ("Name", "Email", "Role")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.team: Team | None = None

    def set_team(self, team: Team) -> None:
        self.beginResetModel()
        self.team = team
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.team is None:
            return 0
        return len(self.team.members) + len(self.team.invites)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.team is None or not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        members = self.team.members
        if index.row() < len(members):
            member = members[index.row()]
            return (member.name or "", member.email, ROLE_NAMES[member.role])[index.column()]
        invite = self.team.invites[index.row() - len(members)]
        waiting = f"{ROLE_NAMES[invite.role]} · invited, until {invite.expires_at:%d %b}"
        return ("", invite.email, waiting)[index.column()]


class MembersDialog(QDialog):
    def __init__(
        self,
        actions: TeamActions,
        runner: TaskRunner,
        identity: Identity,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._actions = actions
        self._runner = runner
        self._identity = identity
        # The organisation's name in the page, where it wraps: a long one in the
        # title would be elided by the title bar.
        self.setWindowTitle("Members")
        self.organisation = QLabel(f"<b>{html.escape(identity.organization_name)}</b>", self)
        self.organisation.setObjectName("membersOrganisation")
        self.organisation.setWordWrap(True)
        open_sized(self, 620, 420)
        self.model = TeamModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("membersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # Addresses and roles are shown whole; the name takes what is left.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.invite_button = QPushButton("Invite…", self)
        self.role = QComboBox(self)
        for role in (MemberRole.ADMIN, MemberRole.MEMBER):
            self.role.addItem(ROLE_NAMES[role], role)
        self.change_role_button = QPushButton("Change role", self)
        self.remove_button = QPushButton("Remove", self)
        self.transfer_button = QPushButton("Make owner…", self)
        self.cancel_invite_button = QPushButton("Cancel invite", self)
        self.reason = QLabel(self)
        self.reason.setObjectName("membersReason")
        self.reason.setWordWrap(True)
        # Beside the Invite button, when it cannot work here (the demo, the built-in database).
        self.invite_reason = QLabel(self)
        self.invite_reason.setObjectName("inviteReason")
        self.invite_reason.setWordWrap(True)
        self.invite_reason.hide()
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c0392b")
        buttons = QHBoxLayout()
        for widget in (
            self.invite_button,
            self.role,
            self.change_role_button,
            self.remove_button,
            self.transfer_button,
            self.cancel_invite_button,
        ):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.organisation)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.invite_reason)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        self.invite_button.clicked.connect(self.open_invite)
        self.change_role_button.clicked.connect(self.change_role)
        self.remove_button.clicked.connect(self.remove)
        self.transfer_button.clicked.connect(self.transfer)
        self.cancel_invite_button.clicked.connect(self.cancel_invite)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._follow_rules())
        self._follow_rules()
        self.reload()

    # --- reading ------------------------------------------------------------------------

    def reload(self) -> None:
        self._runner.run(lambda: self._actions.team(self._identity), self._show, self._failed)

    def _show(self, team: Team) -> None:
        self.model.set_team(team)
        self._follow_rules()

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    # --- the rules, shown ---------------------------------------------------------------

    def _follow_rules(self) -> None:
        team = self.model.team
        mine = team.my_role if team else None
        manager = mine is not None and can_manage_members(mine)
        refusal = self._actions.invite_refusal
        self.invite_button.setEnabled(manager and refusal is None)
        self.invite_reason.setText(refusal if manager and refusal else "")
        self.invite_reason.setVisible(bool(manager and refusal))
        for button in (
            self.change_role_button,
            self.remove_button,
            self.transfer_button,
            self.cancel_invite_button,
        ):
            button.setEnabled(False)
        self.role.setEnabled(False)
        if team is None or mine is None:
            return
        if not manager:
            self.reason.setText(
                "Only an owner or an admin manages members; you are a member of this team."
            )
            return
        row = self._selected_row()
        if row is None:
            self.reason.setText("Choose a member to change their role or remove them.")
            return
        if row >= len(team.members):
            self.cancel_invite_button.setEnabled(True)
            self.reason.setText("An invite waiting to be used; cancelling it frees its seat.")
            return
        member = team.members[row]
        reason = ""
        if member.user_id == self._identity.user_id:
            reason = "This is you: another manager changes your role."
        elif member.role is MemberRole.OWNER:
            reason = "The owner's role changes only when the owner hands ownership on."
        elif rank(member.role) > rank(mine):
            reason = "Their role is above yours."
        else:
            self.role.setEnabled(True)
            grantable = [r for r in (MemberRole.ADMIN, MemberRole.MEMBER) if can_grant(mine, r)]
            self.change_role_button.setEnabled(bool(grantable))
            self.remove_button.setEnabled(True)
            self.transfer_button.setEnabled(mine is MemberRole.OWNER)
            if mine is not MemberRole.OWNER:
                reason = "Only the owner can hand ownership on."
        self.reason.setText(reason)

    # --- acting -------------------------------------------------------------------------

    def _failed(self, error: Exception) -> None:
        self.error.setText(sentence_of(error))

    def _act(self, work: Any) -> None:
        self.error.clear()
        self._runner.run(work, lambda _: self.reload(), self._failed)

    def _selected_member_id(self) -> str | None:
        row = self._selected_row()
        team = self.model.team
        if row is None or team is None or row >= len(team.members):
            return None
        return team.members[row].user_id

    def change_role(self) -> None:
        # Qt hands the StrEnum put in the combo back as plain text.
        user_id, role = self._selected_member_id(), MemberRole(self.role.currentData())
        team = self.model.team
        if user_id is None or team is None:
            return
        member = next(m for m in team.members if m.user_id == user_id)
        answer = QMessageBox.question(
            self,
            "Change role",
            role_question(member.name or member.email, member.role, role),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._act(lambda: self._actions.change_role(self._identity, user_id, role))

    def remove(self) -> None:
        user_id = self._selected_member_id()
        if user_id is not None:
            self._act(lambda: self._actions.remove(self._identity, user_id))

    def transfer(self, *, confirmed: bool = False) -> None:
        user_id = self._selected_member_id()
        if user_id is None:
            return
        if not confirmed:
            answer = QMessageBox.question(
                self,
                "Hand on ownership",
                "Make this member the owner? You stay on as an admin, and only the new owner "
                "can change the plan or delete the organisation.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._act(lambda: self._actions.transfer_ownership(self._identity, user_id))

    def cancel_invite(self) -> None:
        row, team = self._selected_row(), self.model.team
        if row is None or team is None or row < len(team.members):
            return
        invite_id = team.invites[row - len(team.members)].id
        self._act(lambda: self._actions.cancel_invite(self._identity, invite_id))

    def open_invite(self) -> "InviteDialog":
        team = self.model.team
        mine = team.my_role if team else MemberRole.MEMBER
        dialog = InviteDialog(
            self._actions, self._runner, self._identity, mine or MemberRole.MEMBER, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _: self.reload())
        dialog.show()
        return dialog


ROLE_MEANS = {
    MemberRole.ADMIN: "can invite and remove members and change their roles",
    MemberRole.MEMBER: "can answer conversations and write notes, but not manage the team",
}


def role_question(who: str, current: MemberRole, new: MemberRole) -> str:
    return (
        f"Make {who} {ROLE_NAMES[new].lower()} instead of {ROLE_NAMES[current].lower()}? "
        f"{ROLE_NAMES[new]}s {ROLE_MEANS.get(new, 'own the organisation')}. "
        "It applies at once, in every app of the team."
    )


def add_members_menu(
    menu: QMenu, window: QWidget, actions: TeamActions, runner: TaskRunner, identity: Identity
) -> QAction:
    """Team ▸ Members… on the window's Team menu."""
    return add_kept_dialog(
        menu, "Members…", "membersAction", lambda: MembersDialog(actions, runner, identity, window)
    )
