"""Opens the window in a process of its own, so that Qt starts at the scale and on
the screen the environment gives it (QT_SCALE_FACTOR, the offscreen platform's
screen), and prints what a person would see as JSON.

    python -m tests.e2e.scaled_window DATABASE_URL HOME [X,Y,W,H]

X,Y,W,H: a geometry saved by an earlier run (a bigger screen) to restore.
"""

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy.engine import make_url

from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import build_window
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def main(url: str, home: str, saved: str = "") -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    paths = AppPaths.resolve(Path(home))
    paths.create()
    if saved:
        earlier = QWidget()
        earlier.setGeometry(QRect(*(int(n) for n in saved.split(","))))
        state = QSettings(str(paths.config / "window.ini"), QSettings.Format.IniFormat)
        state.setValue("window/geometry", earlier.saveGeometry())
        state.sync()
    engine = create_database_engine(make_url(url))
    running = build_window(
        Database(engine, session_factory(engine), "test", embedded=False), paths, demo=False
    )
    window = running.window
    window.show()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (running.runner.pending or window.inbox.loading):
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
    view = window.inbox_view
    first = window.inbox.index(0)
    window.grab().save(str(Path(home) / "window.png"))  # to look at when it fails
    print(
        json.dumps(
            {
                "screen": _rect(window.screen().availableGeometry()),
                "window": _rect(window.frameGeometry()),
                "horizontal_bar": view.horizontalScrollBar().isVisible(),
                "inbox_width": view.viewport().width(),
                "row": _rect(view.visualRect(first)),
                "rows": window.inbox.rowCount(),
            }
        )
    )
    running.close()
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
