"""Renders docs/screenshots/quick-replies.png from the demo: "/pr" typed in the
reply box and the popup offering the team's quick replies, filled for the open
conversation's customer.  The popup is a window of its own: it is painted onto
the main window's picture where it shows.

    QT_QPA_PLATFORM=offscreen:configfile=scripts/laptop-screen.json \\
        .venv/bin/python scripts/quick_replies_screenshot.py [OUT_DIR]
"""

import sys
from pathlib import Path

from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from shot_tools import demo_window, settle, the_app

from snorq_desktop.ui.theme import apply_theme


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = the_app()
    apply_theme(app, dark=False)
    with demo_window(app) as (running, _demo):
        window = running.window
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


if __name__ == "__main__":
    main()
