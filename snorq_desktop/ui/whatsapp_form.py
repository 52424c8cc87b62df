"""Connecting WhatsApp Cloud: the three values from Meta's API Setup, then
what to paste back into Meta's webhook settings."""

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from snorq_desktop.domain.connections import WhatsAppSetup
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.ui.window_fit import open_sized

Submit = Callable[[str, str, str], None]


class WhatsAppForm(QDialog):
    def __init__(
        self, submit: Submit, phone_number_id: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect WhatsApp")
        self.setObjectName("whatsAppForm")
        self._submit = submit
        self.phone_number_id = QLineEdit(phone_number_id, self)
        self.phone_number_id.setPlaceholderText("106540352242922")
        self.business_account_id = QLineEdit(self)
        self.business_account_id.setPlaceholderText("102290129340398")
        self.access_token = QLineEdit(self)
        self.access_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.access_token.setPlaceholderText("a system user's permanent token")
        form = QFormLayout()
        form.addRow("Phone number id", self.phone_number_id)
        form.addRow("WhatsApp Business Account id", self.business_account_id)
        form.addRow("Access token", self.access_token)
        hint = QLabel(
            "All three are in your Meta app, under WhatsApp → API Setup. The number is "
            "checked with the token before anything is saved.",
            self,
        )
        hint.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("whatsAppStatus")
        self.status.setWordWrap(True)
        self.callback_url = QLineEdit(self)
        self.callback_url.setReadOnly(True)
        self.callback_url.setObjectName("callbackUrl")
        self.verify_token = QLineEdit(self)
        self.verify_token.setReadOnly(True)
        self.verify_token.setObjectName("verifyToken")
        self._paste = QWidget(self)
        paste = QFormLayout(self._paste)
        paste.setContentsMargins(0, 0, 0, 0)
        paste.addRow("Callback URL", self.callback_url)
        paste.addRow("Verify token", self.verify_token)
        self._paste.hide()
        self.buttons = QDialogButtonBox(self)
        self.connect_button = self.buttons.addButton(
            "Connect", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.connect_button.clicked.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self._paste)
        layout.addWidget(self.buttons)
        open_sized(self, 560, 300)

    def _connect(self) -> None:
        self.connect_button.setEnabled(False)
        self.status.setText("Checking the number with Meta…")
        self._submit(
            self.phone_number_id.text(), self.business_account_id.text(), self.access_token.text()
        )

    def failed(self, error: Exception) -> None:
        self.connect_button.setEnabled(True)
        self.status.setText(
            error.sentence
            if isinstance(error, KnownError)
            else "Something went wrong; the details are in the log file."
        )

    def connected(self, setup: WhatsAppSetup) -> None:
        self.connect_button.setEnabled(True)
        self.access_token.clear()
        self.verify_token.setText(setup.verify_token.reveal())
        if setup.callback_url:
            self.callback_url.setText(setup.callback_url)
            where = "Paste these"
        else:
            self.callback_url.setText('(set "relay_url" in settings.json to your relay\'s address)')
            where = "Paste your relay's https://…/webhooks/meta and this verify token"
        self.status.setText(
            f"WhatsApp is connected. {where} into Meta's dashboard (WhatsApp → Configuration → "
            "Webhook, subscribe to “messages”), and give the relay the same verify token "
            "(SNORQ_META_VERIFY_TOKEN)."
        )
        self._paste.show()
