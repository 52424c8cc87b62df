"""Renders the README's screenshots from the demo: the main window in the light
and the dark palette, with a conversation open, a draft left on another row
and the "N new ↑" pill of a list held still under the pointer.

    QT_QPA_PLATFORM=offscreen:configfile=scripts/laptop-screen.json \
        .venv/bin/python scripts/screenshots.py [OUT_DIR]

(a 1440×900 screen: offscreen's own is 800×800, and the window fits its screen),
and at 200 % on that screen (writes inbox-200.png):

    QT_SCALE_FACTOR=2 QT_QPA_PLATFORM=offscreen:configfile=scripts/laptop-screen.json \
        .venv/bin/python scripts/screenshots.py [OUT_DIR]

(For fonts with emoji and CJK glyphs install fonts-noto-color-emoji and
fonts-noto-cjk first.)
"""

import os
import sys
import tempfile
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from shot_tools import settle
from sqlalchemy import text

from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import build_window, open_demo
from snorq_desktop.demo.content import DEMO_TEMPLATES
from snorq_desktop.domain.inbox import Changes, InboxView
from snorq_desktop.domain.templates import MessageTemplate
from snorq_desktop.ui.inbox_model import ConversationIdRole
from snorq_desktop.ui.shortcuts_sheet import open_sheet
from snorq_desktop.ui.template_picker import TemplatePicker
from snorq_desktop.ui.theme import apply_theme
from snorq_desktop.ui.thread_model import MessageRole


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="snorq-shots-") as home:
        Path(home).chmod(0o755)
        paths = AppPaths.resolve(home)
        paths.create()
        with open_demo(paths) as demo:
            running = build_window(demo.database, paths, demo=False)
            window = running.window
            window.resize(1280, 800)
            window.show()
            settle(app, lambda: window.inbox.rowCount() > 0 and running.runner.pending == 0)
            # A reply left half-written in the second conversation: "Draft:" on its row.
            window.inbox_view.setCurrentIndex(window.inbox.index(1))
            settle(app, lambda: running.runner.pending == 0)
            window.thread_pane.composer.editor.setPlainText("Yes, we still have it in size M")
            window.inbox_view.setCurrentIndex(window.inbox.index(0))
            settle(
                app, lambda: window.thread_pane.model.rowCount() > 0 and running.runner.pending == 0
            )
            hold_with_news(app, running, demo.database.engine)
            if os.environ.get("QT_SCALE_FACTOR") == "2":
                # The window as it opens on the screen (inside it), rows whole.
                settle(app, lambda: True, 0.2)
                target = out / "inbox-200.png"
                window.grab().save(str(target))
                print(f"wrote {target} at {window.width()}×{window.height()} of Qt's pixels")
                running.close()
                return
            for name, dark in (("light", False), ("dark", True)):
                apply_theme(app, dark=dark)
                settle(app, lambda: True, 0.2)
                target = out / f"inbox-{name}.png"
                window.grab().save(str(target))
                print(f"wrote {target}")
            apply_theme(app, dark=False)
            shoot_files_and_templates(app, running, out)
            shoot_reply_clocks(app, running, out)
            shoot_mine(app, running, out)
            shoot_business_hours(app, running, out)
            shoot_snoozed_and_shortcuts(app, running, out)
            running.close()


def hold_with_news(app: QApplication, running, engine) -> None:  # type: ignore[no-untyped-def]
    """The pointer over the list while a customer further down writes: the rows
    stay put and the pill says so."""
    window = running.window
    QApplication.sendEvent(window.inbox_view.viewport(), QEvent(QEvent.Type.Enter))
    last = window.inbox.index(window.inbox.rowCount() - 1).data(ConversationIdRole)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE conversations SET last_message_at = now() WHERE id = :c"), {"c": last}
        )
    window.apply_changes(Changes(conversations=frozenset({last})))
    settle(app, lambda: running.runner.pending == 0 and window.inbox_hold.pill.isVisible())


def shoot_mine(app: QApplication, running, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Who's on it (#17.2): the Mine view with its count, a conversation of mine
    open (the header says so), and the assignee's avatar on the rows."""
    window = running.window
    QApplication.sendEvent(window.inbox_view.viewport(), QEvent(QEvent.Type.Leave))
    window.sidebar.select(InboxView.MINE)
    settle(app, lambda: running.runner.pending == 0 and window.inbox.rowCount() > 0)
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    settle(
        app,
        lambda: (
            running.runner.pending == 0 and window.assignments.button.text() == "Assigned to you"
        ),
    )
    target = out / "assignments-mine.png"
    window.grab().save(str(target))
    print(f"wrote {target}")


def _open_until(app: QApplication, running, wanted) -> bool:  # type: ignore[no-untyped-def]
    """Open conversations from the top until ``wanted(pane)`` holds."""
    window = running.window
    for row in range(window.inbox.rowCount()):
        window.inbox_view.setCurrentIndex(window.inbox.index(row))
        settle(app, lambda: running.runner.pending == 0 and window.thread_pane.header is not None)
        if wanted(window.thread_pane):
            return True
    return False


def shoot_files_and_templates(app: QApplication, running, out: Path) -> None:  # type: ignore[no-untyped-def]
    window = running.window
    model = window.thread_pane.model

    def has_file(_pane) -> bool:  # type: ignore[no-untyped-def]
        messages = (model.index(r).data(MessageRole) for r in range(model.rowCount()))
        return any(m is not None and m.attachment is not None for m in messages)

    if _open_until(app, running, has_file):
        settle(app, lambda: True, 0.2)
        window.grab().save(str(out / "thread-files.png"))
        print(f"wrote {out / 'thread-files.png'}")
    if _open_until(app, running, lambda pane: pane.header.template_only_reason is not None):
        templates = [MessageTemplate(n, "en_US", "UTILITY", b) for n, b in DEMO_TEMPLATES]

        def source(_connection: str) -> Future[list[MessageTemplate]]:
            future: Future[list[MessageTemplate]] = Future()
            future.set_result(templates)
            return future

        picker = TemplatePicker(lambda: source(""), window)
        picker.show()
        settle(app, lambda: picker.list.count() > 0)
        picker.values[0].setText("Ana")
        picker.values[1].setText("#2041")
        settle(app, lambda: True, 0.2)
        picker.grab().save(str(out / "template-picker.png"))
        print(f"wrote {out / 'template-picker.png'}")
        picker.close()


def shoot_reply_clocks(app: QApplication, running, out: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Closing soon" with its conversation open (the header's countdown), then
    the thread holding the demo's scheduled reply (#17.5, #17.4)."""
    window = running.window
    window.sidebar.select(InboxView.CLOSING_SOON)
    settle(app, lambda: running.runner.pending == 0 and window.inbox.rowCount() > 0)
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    settle(app, lambda: running.runner.pending == 0 and window.thread_pane.header is not None)
    settle(app, lambda: True, 0.2)
    window.grab().save(str(out / "closing-soon.png"))
    print(f"wrote {out / 'closing-soon.png'}")
    window.sidebar.select(InboxView.ALL)
    settle(app, lambda: running.runner.pending == 0 and window.inbox.rowCount() > 0)
    model = window.thread_pane.model

    def has_scheduled(_pane) -> bool:  # type: ignore[no-untyped-def]
        messages = (model.index(r).data(MessageRole) for r in range(model.rowCount()))
        return any(m is not None and m.send_at is not None for m in messages)

    if _open_until(app, running, has_scheduled):
        window.thread_pane.view.scrollToBottom()
        settle(app, lambda: True, 0.2)
        window.grab().save(str(out / "scheduled-reply.png"))
        print(f"wrote {out / 'scheduled-reply.png'}")


def shoot_business_hours(app: QApplication, running, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Team ▸ Business hours… as the demo has them, and the thread of the demo's
    away message with its "Automatic – away message" caption."""
    window = running.window
    dialog = window.business_hours.open_dialog()
    settle(app, lambda: running.runner.pending == 0 and dialog.can_change)
    settle(app, lambda: True, 0.2)
    dialog.grab().save(str(out / "business-hours.png"))
    print(f"wrote {out / 'business-hours.png'}")
    dialog.close()
    model = window.thread_pane.model

    def has_away(_pane) -> bool:  # type: ignore[no-untyped-def]
        messages = (model.index(r).data(MessageRole) for r in range(model.rowCount()))
        return any(m is not None and m.automatic is not None for m in messages)

    if _open_until(app, running, has_away):
        rows = [model.index(r).data(MessageRole) for r in range(model.rowCount())]
        away = next(r for r, m in enumerate(rows) if m is not None and m.automatic is not None)
        window.thread_pane.view.scrollTo(model.index(away))
        settle(app, lambda: True, 0.2)
        window.grab().save(str(out / "thread-away-message.png"))
        print(f"wrote {out / 'thread-away-message.png'}")


def shoot_snoozed_and_shortcuts(app: QApplication, running, out: Path) -> None:  # type: ignore[no-untyped-def]
    """The Snoozed view with its conversation open (#17.3), and Help ▸ Keyboard
    shortcuts… (#17.7)."""
    window = running.window
    window.sidebar.select(InboxView.SNOOZED)
    settle(app, lambda: running.runner.pending == 0 and window.inbox.rowCount() > 0)
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    settle(app, lambda: running.runner.pending == 0 and window.thread_pane.header is not None)
    settle(app, lambda: True, 0.2)
    window.grab().save(str(out / "snoozed-view.png"))
    print(f"wrote {out / 'snoozed-view.png'}")
    sheet = open_sheet(window)
    settle(app, lambda: True, 0.2)
    sheet.grab().save(str(out / "shortcuts-sheet.png"))
    print(f"wrote {out / 'shortcuts-sheet.png'}")
    sheet.close()
    window.sidebar.select(InboxView.ALL)


if __name__ == "__main__":
    main()
