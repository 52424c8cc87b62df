"""Renders the README's screenshots from the demo: the main window in the light
and the dark palette, with a conversation open.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]

(For fonts with emoji and CJK glyphs install fonts-noto-color-emoji and
fonts-noto-cjk first.)
"""

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from snorq_desktop.paths import AppPaths
from snorq_desktop.ui.theme import apply_theme
from snorq_desktop.window import build_window, open_demo


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
            window.inbox_view.setCurrentIndex(window.inbox.index(0))
            settle(
                app, lambda: window.thread_pane.model.rowCount() > 0 and running.runner.pending == 0
            )
            for name, dark in (("light", False), ("dark", True)):
                apply_theme(app, dark=dark)
                settle(app, lambda: True, 0.2)
                target = out / f"inbox-{name}.png"
                window.grab().save(str(target))
                print(f"wrote {target}")
            running.close()


if __name__ == "__main__":
    main()
