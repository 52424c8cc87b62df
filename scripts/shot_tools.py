"""What the screenshot scripts share: waiting for the window to settle, and the
demo's main window on a throw-away home.  Run the scripts from the project
root (`python scripts/NAME.py`), which puts this folder on the import path.
"""

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from snorq_desktop.boot.demo_database import open_demo
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import build_window


def the_app() -> QApplication:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    return app


def settle(app: QApplication, done: Callable[[], Any], timeout: float = 10.0) -> None:
    """Turn Qt's loop until ``done()`` holds (the window drew what we wait for)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if done():
            return
        time.sleep(0.01)
    raise TimeoutError("the window did not settle")


@contextmanager
def demo_window(app: QApplication) -> Iterator[tuple[Any, Any]]:
    """The demo's main window at a laptop's size, its first page loaded; yields
    (what `build_window` returns, the open demo), both closed afterwards."""
    with tempfile.TemporaryDirectory(prefix="snorq-shots-") as home:
        Path(home).chmod(0o755)  # the built-in server runs as another user when we are root
        paths = AppPaths.resolve(home)
        paths.create()
        with open_demo(paths) as demo:
            running = build_window(demo.database, paths, demo=False)
            running.window.resize(1280, 800)
            running.window.show()
            settle(app, lambda: running.window.inbox.rowCount() > 0 and running.runner.pending == 0)
            try:
                yield running, demo
            finally:
                running.close()
