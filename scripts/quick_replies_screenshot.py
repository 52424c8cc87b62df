"""Renders docs/screenshots/quick-replies.png from the demo: "/pr" typed in the
reply box and the popup offering the team's quick replies, filled for the open
conversation's customer.  The popup is a window of its own: it is painted onto
the main window's picture where it shows.

    QT_QPA_PLATFORM=offscreen:configfile=scripts/laptop-screen.json \\
        .venv/bin/python scripts/quick_replies_screenshot.py [OUT_DIR]
"""

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from snorq_desktop.boot.demo_database import open_demo
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import build_window
from snorq_desktop.ui.theme import apply_theme


def settle(app: QApplication, done, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if done():
            return
        time.sleep(0.01)
    raise TimeoutError("the window did not settle")


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app, dark=False)
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
            composer = window.thread_pane.composer
            for row in range(window.inbox.rowCount()):  # one whose reply box is open
                window.inbox_view.setCurrentIndex(window.inbox.index(row))
                settle(app, lambda: running.runner.pending == 0)
                if composer.blocked_reason is None:
                    break
            settle(app, lambda: window.thread_pane.model.rowCount() > 0)
            QTest.keyClicks(composer.editor, "Of course! /")
            popup = window.quick_replies.completer.popup
            settle(app, popup.isVisible)
            picture = window.grab()
            painter = QPainter(picture)
            where = window.mapFromGlobal(popup.mapToGlobal(popup.rect().topLeft()))
            painter.drawPixmap(where, popup.grab())
            painter.end()
            target = out / "quick-replies.png"
            picture.save(str(target))
            print(f"wrote {target}")
            running.close()


if __name__ == "__main__":
    main()
