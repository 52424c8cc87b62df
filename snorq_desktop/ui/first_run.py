"""The first-run screen: sign in with Google in the system browser, then
create an organisation or join one with an invite code.

The work (a browser round trip of up to a few minutes, database writes) runs
on a worker thread; this screen only shows where things are, with a Cancel
that stops a sign-in waiting on the browser.
"""

import html
import threading
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.identity import Identity
from snorq_desktop.ui.link_to_copy import LinkToCopy
from snorq_desktop.ui.problems import sentence_of
from snorq_desktop.ui.tasks import TaskRunner
from snorq_desktop.ui.window_fit import grows_with_its_text


class FirstRunFlow(Protocol):
    """What the screen asks of the app; every method blocks (worker thread)."""

    @property
    def who(self) -> str:
        """The signed-in person, for the screen ("Maya Okafor <maya@…>")."""
        ...

    def sign_in(self, cancel: threading.Event, show_link: Callable[[str], None]) -> Identity | None:
        """``show_link`` is given Google's link (from the worker thread) when no
        browser could be opened on it; the sign-in then waits for the person."""
        ...

    def propose_slug(self, name: str) -> str: ...

    def create_organization(self, name: str, slug: str) -> Identity: ...

    def code_user(self, code: str) -> str | None: ...

    def join(self, code: str, user: str, password: str) -> Identity: ...


class FirstRunDialog(QDialog):
    """Accepted once the person is signed in and in an organisation
    (:attr:`identity`); rejected if they close it, or choose the demo
    (:attr:`wants_demo`)."""

    def __init__(
        self,
        flow: FirstRunFlow,
        runner: TaskRunner,
        *,
        signed_in: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._flow = flow
        self._runner = runner
        self._cancel = threading.Event()
        self.identity: Identity | None = None
        self.wants_demo = False
        self.setWindowTitle("Welcome to SNORQ Desktop")
        self.setMinimumWidth(520)
        grows_with_its_text(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._sign_in_page())
        self.pages.addWidget(self._onboarding_page())
        self.error = QLabel(self)
        self.error.setObjectName("firstRunError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c0392b")
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        self._show_page(0)
        if signed_in:
            self._to_onboarding()

    def _show_page(self, number: int) -> None:
        # Each page as tall as it needs: the stack otherwise takes the tallest one's height.
        for index in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if index == number else QSizePolicy.Policy.Ignored
            page = self.pages.widget(index)
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(number)
        self.adjustSize()

    # --- signing in -------------------------------------------------------------------

    def _sign_in_page(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            "<h2>Welcome to SNORQ Desktop</h2>"
            "<p>Sign in with your Google account. Your web browser opens on Google's "
            "page; come back here when it says you are signed in.</p>"
            "<p style='color:gray'>SNORQ Desktop learns your name, email address and "
            "picture from Google, never your password.</p>",
            page,
        )
        intro.setWordWrap(True)
        self.sign_in_button = QPushButton("Sign in with Google", page)
        self.sign_in_button.setDefault(True)
        # Cancel stops a sign-in waiting on the browser; with none running it closes.
        self.cancel_button = QPushButton("Cancel", page)
        self.demo_button = QPushButton("Try the demo", page)
        self.demo_button.setToolTip(
            "Look around a sample shop with made-up customers first; nothing is signed in."
        )
        self.waiting = QProgressBar(page)
        self.waiting.setRange(0, 0)  # busy: the browser has it
        self.waiting.setTextVisible(False)
        self.waiting.hide()
        self.status = QLabel(page)
        self.status.setWordWrap(True)
        self.link = LinkToCopy("to sign in with Google", page)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.waiting)
        layout.addWidget(self.status)
        layout.addWidget(self.link)
        layout.addStretch(1)
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.cancel_button.clicked.connect(self.cancel_sign_in)
        self.demo_button.clicked.connect(self.try_demo)
        return page

    def start_sign_in(self) -> None:
        self._cancel = threading.Event()
        cancel = self._cancel
        self._waiting(True)
        self.error.clear()
        self.status.setText(
            "Waiting for you in the browser… Cancel stops it; so do a few minutes without an "
            "answer."
        )
        show_link = self.link.show_link_from_any_thread
        self._runner.run(
            lambda: self._flow.sign_in(cancel, show_link), self._signed_in, self._sign_in_failed
        )

    def _sign_in_failed(self, error: Exception) -> None:
        self._waiting(False)
        self._show_error(error)

    def cancel_sign_in(self) -> None:
        if not self.waiting.isVisibleTo(self):
            self.reject()  # nothing to stop: Cancel closes the screen
            return
        self._cancel.set()
        self.status.setText("Cancelling…")

    def try_demo(self) -> None:
        self.wants_demo = True
        self.reject()  # a sign-in still waiting on the browser stops

    def _waiting(self, waiting: bool) -> None:
        self.sign_in_button.setEnabled(not waiting)
        self.waiting.setVisible(waiting)
        if not waiting:
            self.status.clear()
            self.link.forget()

    def _signed_in(self, identity: Identity | None) -> None:
        self._waiting(False)
        if identity is not None:
            self._finish(identity)
        else:
            self._to_onboarding()

    # --- onboarding -------------------------------------------------------------------

    def _onboarding_page(self) -> QWidget:
        page = QWidget(self)
        self.who = QLabel(page)
        self.who.setWordWrap(True)
        create = QGroupBox("Start a new organisation (you will be its owner)", page)
        self.org_name = QLineEdit(create)
        self.org_name.setPlaceholderText("Maya's Shop")
        self.slug = QLineEdit(create)
        self.slug.setPlaceholderText("mayas-shop")
        self.create_button = QPushButton("Create organisation", create)
        form = QFormLayout(create)
        form.addRow("Name", self.org_name)
        form.addRow("Address", self.slug)
        form.addRow(self.create_button)
        join = QGroupBox("Or join a team with an invite code", page)
        self.code = QPlainTextEdit(join)
        self.code.setPlaceholderText("snorq-invite-1.…")
        self.code.setFixedHeight(64)
        self.db_user = QLineEdit(join)
        self.db_password = QLineEdit(join)
        self.db_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.db_password.setPlaceholderText("given to you apart from the code")
        self.join_button = QPushButton("Join", join)
        join_form = QFormLayout(join)
        join_form.addRow("Invite code", self.code)
        join_form.addRow("Database user", self.db_user)
        join_form.addRow("Database password", self.db_password)
        join_form.addRow(self.join_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.who)
        layout.addWidget(create)
        layout.addWidget(join)
        self._slug_edited = False
        self._propose = QTimer(self)
        self._propose.setSingleShot(True)
        self._propose.setInterval(250)
        self._propose.timeout.connect(self._propose_slug)
        self.org_name.textChanged.connect(lambda _: self._propose.start())
        self.slug.textEdited.connect(self._slug_typed)
        self.create_button.clicked.connect(self.create_organization)
        self.code.textChanged.connect(self._code_changed)
        self.join_button.clicked.connect(self.join_team)
        return page

    def _to_onboarding(self) -> None:
        self.who.setText(
            f"<b>Signed in as {html.escape(self._flow.who)}.</b> One more step: your organisation."
        )
        self._show_page(1)
        self.org_name.setFocus()

    def _slug_typed(self, text: str) -> None:
        self._slug_edited = bool(text)  # cleared: propose from the name again

    def _propose_slug(self) -> None:
        name = self.org_name.text()
        if self._slug_edited or not name.strip():
            return
        self._runner.run(lambda: self._flow.propose_slug(name), self._proposed, self._show_error)

    def _proposed(self, slug: str) -> None:
        if not self._slug_edited:
            self.slug.setText(slug)

    def create_organization(self) -> None:
        name, slug = self.org_name.text(), self.slug.text().strip()
        self.error.clear()
        self.create_button.setEnabled(False)
        self._runner.run(
            lambda: self._flow.create_organization(name, slug),
            self._finish,
            self._create_failed,
        )

    def _create_failed(self, error: Exception) -> None:
        self._show_error(error)
        self.create_button.setEnabled(True)
        # The address may have been taken meanwhile: offer the next free one.
        wanted = self.slug.text().strip() or self.org_name.text()
        if wanted:
            self._runner.run(
                lambda: self._flow.propose_slug(wanted), self.slug.setText, self._show_error
            )

    def _code_changed(self) -> None:
        code = self.code.toPlainText()
        if not self.db_user.text():
            self._runner.run(
                lambda: self._flow.code_user(code),
                lambda user: (
                    self.db_user.setText(user) if user and not self.db_user.text() else None
                ),
            )

    def join_team(self) -> None:
        code, user, password = self.code.toPlainText(), self.db_user.text(), self.db_password.text()
        self.error.clear()
        self.join_button.setEnabled(False)
        self._runner.run(
            lambda: self._flow.join(code, user, password),
            self._finish,
            self._join_failed,
        )

    def _join_failed(self, error: Exception) -> None:
        self._show_error(error)
        self.join_button.setEnabled(True)

    # --- ending -----------------------------------------------------------------------

    def _show_error(self, error: Exception) -> None:
        # Every problem here is the person's to act on (a wrong code or password, an
        # unreachable team database), so each shows its sentence on this screen.
        self.error.setText(sentence_of(error))

    def _finish(self, identity: Identity) -> None:
        self.identity = identity
        self.accept()

    def reject(self) -> None:
        self._cancel.set()  # a sign-in still waiting on the browser stops
        super().reject()
