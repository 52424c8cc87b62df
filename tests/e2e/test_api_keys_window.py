"""Team ▸ API keys… offscreen on real PostgreSQL (#18.1): a key made is shown
once with Copy, listed by its first characters, revoked after a question;
on the Pro plan the page says why no key is made."""

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from snorq_desktop.domain.api_keys import key_hash
from snorq_desktop.domain.identity import Identity
from snorq_desktop.services.api_keys import ApiKeyService
from snorq_desktop.ui.api_keys_dialog import ApiKeysDialog
from snorq_desktop.ui.tasks import TaskRunner


def _page(qtbot, shop, plumbing) -> tuple[ApiKeysDialog, TaskRunner]:
    runner = TaskRunner(plumbing.worker)
    owner = Identity(shop.organization_id, "Maya's Shop", shop.owner_id, "Maya")
    dialog = ApiKeysDialog(ApiKeyService(shop.sessions), runner, owner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=30_000)
    return dialog, runner


def test_make_copy_list_and_revoke_a_key(qtbot, shop, plumbing, monkeypatch):
    shop.sql("UPDATE organizations SET plan = 'BUSINESS'")
    dialog, runner = _page(qtbot, shop, plumbing)
    assert dialog.model.rowCount() == 0 and not dialog.key.isVisible()
    dialog.name.setText("web shop")
    dialog.make_button.click()
    qtbot.waitUntil(lambda: dialog.key.isVisible() and dialog.model.rowCount() == 1, timeout=30_000)
    key = dialog.key.text()
    assert key.startswith("snorq_live_") and "only time" in dialog.note.text()
    assert shop.sql("SELECT key_hash FROM api_keys") == [(key_hash(key),)]
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == key
    assert dialog.model.index(0, 0).data() == "web shop"
    assert dialog.model.index(0, 1).data() == key[:17] + "…"
    assert dialog.model.index(0, 5).data() == "in use"

    dialog.table.selectRow(0)
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def answer(_parent, _title, question, *_args):
        asked.append(question)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog.revoke_button.click()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=30_000)
    assert shop.sql("SELECT revoked_at IS NULL FROM api_keys") == [(True,)]
    dialog.revoke_button.click()
    qtbot.waitUntil(
        lambda: str(dialog.model.index(0, 5).data()).startswith("revoked"), timeout=30_000
    )
    assert "Revoke “web shop”?" in asked[0] and len(asked) == 2
    assert not dialog.revoke_button.isEnabled()
    dialog.close()
    assert dialog.key.text() == ""  # shown once: gone when the page closes
    runner.stop()


def test_on_the_pro_plan_the_page_says_why_not(qtbot, shop, plumbing):
    dialog, runner = _page(qtbot, shop, plumbing)
    dialog.name.setText("web shop")
    dialog.make_button.click()
    qtbot.waitUntil(lambda: "Business plan" in dialog.error.text(), timeout=30_000)
    assert "on the Pro plan" in dialog.error.text() and not dialog.key.isVisible()
    assert shop.sql("SELECT count(*) FROM api_keys") == [(0,)]
    runner.stop()


def test_the_team_menu_opens_it(make_window, shop, qtbot):
    running = make_window()
    action = running.window.findChild(QAction, "apiKeysAction")
    assert action is not None and action.text() == "API keys…"
    action.trigger()
    qtbot.waitUntil(lambda: running.window.findChild(ApiKeysDialog) is not None, timeout=30_000)
