"""Scrolling the whole inbox in the real window (offscreen): peak memory beside
its limit, and how often Qt asks the inbox for its row count per event-loop turn
beside a bare QAbstractListModel in the same kind of view, paged the same way.

    QT_QPA_PLATFORM=offscreen python -m bench.inbox_scroll --database-url URL

The bench shop (bench/dataset.py) has 100,000 conversations; every one of them
is scrolled past, a page at a time, as a user dragging to the end would.

httpx imports its command-line extras (rich, pygments: 6 MB) when they are
installed; in a development environment they are (import-linter, pytest), in a
user's install they are not.  They are hidden here, as a user's install has
them, unless --dev-packages is given.
"""

import sys

if "--dev-packages" not in sys.argv:
    # Before anything imports httpx: its optional CLI then finds them missing.
    sys.modules["rich"] = None  # type: ignore[assignment]
    sys.modules["pygments"] = None  # type: ignore[assignment]

# As the installed command does (snorq-desktop is boot.cli:main): its database,
# HTTP and crypto libraries are imported before PySide6, whose import hook
# makes every module imported after it cost more (16 MB more for these, when
# this bench imported PySide6 first and measured a start no user has).
import snorq_desktop.boot.cli  # noqa: F401, I001

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication

from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.window import build_window
from snorq_desktop.store.database import create_database_engine, parse_database_url
from snorq_desktop.store.unit_of_work import session_factory
from snorq_desktop.ui.inbox_model import InboxModel
from snorq_desktop.ui.inbox_view import InboxListView

RSS_LIMIT_MB = 180.0
PAGE = 100


def status_mb(field: str) -> float:
    """A /proc/self/status figure (VmRSS: now; VmHWM: the peak) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Turns:
    """rowCount calls counted per event-loop turn (one processEvents call)."""

    def __init__(self) -> None:
        self.calls = 0
        self.per_turn: list[int] = []

    def turn(self, app: QApplication) -> None:
        before = self.calls
        app.processEvents()
        self.per_turn.append(self.calls - before)

    def summary(self) -> tuple[int, float, int]:
        busy = [n for n in self.per_turn if n]
        return (max(busy, default=0), sum(busy) / max(len(busy), 1), self.calls)


def counting(turns: Turns, method: Callable[..., int]) -> Callable[..., int]:
    def row_count(self: Any, parent: Any = QModelIndex()) -> int:  # noqa: B008
        turns.calls += 1
        return method(self, parent)

    return row_count


class BareModel(QAbstractListModel):
    """The floor: rows are ints, rowCount is len(); paged like the inbox."""

    def __init__(self, total: int, turns: Turns) -> None:
        super().__init__()
        self.rows: list[int] = []
        self.total = total
        self.turns = turns

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        self.turns.calls += 1
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        return str(self.rows[index.row()]) if role == Qt.ItemDataRole.DisplayRole else None

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008, N802
        start = len(self.rows)
        count = min(PAGE, self.total - start)
        self.beginInsertRows(QModelIndex(), start, start + count - 1)
        self.rows.extend(range(start, start + count))
        self.endInsertRows()


def scroll_window(app: QApplication, url: str) -> tuple[Turns, int, float, float, float]:
    turns = Turns()
    rows_now = InboxModel.rowCount  # the bench's own look, not counted
    InboxModel.rowCount = counting(turns, rows_now)  # type: ignore[method-assign]
    engine = create_database_engine(parse_database_url(url))
    home = Path(tempfile.mkdtemp(prefix="snorq-bench-"))
    paths = AppPaths.resolve(home)
    paths.create()
    before = status_mb("VmRSS")
    running = build_window(
        Database(engine, session_factory(engine), "bench", embedded=False), paths, demo=False
    )
    window, inbox, view = running.window, running.window.inbox, running.window.inbox_view
    window.resize(1200, 800)
    window.show()
    gc.freeze()  # as run_window does
    started = time.perf_counter()
    while rows_now(inbox) == 0:
        turns.turn(app)
        time.sleep(0.0005)
    turns.per_turn.clear()
    print(f"first page shown: RSS {status_mb('VmRSS'):.1f} MB (before the window {before:.1f} MB)")
    marks = iter(range(10_000, 1_000_001, 10_000))
    mark = next(marks)
    # Drag to the end: every page is asked for by the view itself (fetchMore when
    # the bar reaches the bottom), as a user scrolling would.
    while inbox.canFetchMore() or inbox.loading:
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
        turns.turn(app)
        time.sleep(0.0002)
        if rows_now(inbox) >= mark:
            print(f"  {mark:>7,} rows: RSS {status_mb('VmRSS'):.1f} MB", flush=True)
            mark = next(marks)
    for _ in range(20):
        turns.turn(app)
    elapsed = time.perf_counter() - started
    rows = rows_now(inbox)
    now, peak = status_mb("VmRSS"), status_mb("VmHWM")
    print(f"after all rows: RSS {now:.1f} MB")
    running.close()
    engine.dispose()
    return turns, rows, elapsed, now - before, peak


def scroll_bare(app: QApplication, total: int) -> Turns:
    turns = Turns()
    model = BareModel(total, turns)
    view = InboxListView()
    view.setModel(model)
    view.resize(400, 800)
    view.show()
    while model.canFetchMore():
        had = len(model.rows)
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
        turns.turn(app)
        if len(model.rows) == had:
            model.fetchMore()  # the view did not ask (its bar not grown yet)
    for _ in range(20):
        turns.turn(app)
    view.close()
    return turns


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--dev-packages", action="store_true", help="let httpx load rich and pygments"
    )
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    turns, rows, elapsed, grown, peak = scroll_window(app, args.database_url)
    bare = scroll_bare(app, rows)
    most, mean, calls = turns.summary()
    bare_most, bare_mean, bare_calls = bare.summary()
    hidden = "as installed: rich, pygments hidden" if not args.dev_packages else "dev packages"
    print(f"scrolled {rows:,} inbox rows in {elapsed:.1f} s ({rows // PAGE:,} pages; {hidden})")
    print(
        f"{'peak RSS (VmHWM), whole window':42s} {peak:8.1f} MB   limit {RSS_LIMIT_MB:.0f} MB"
        f"   ratio {peak / RSS_LIMIT_MB:5.2f}x   (grown by the window {grown:.1f} MB)"
    )
    print(
        f"{'rowCount calls per busy turn (max)':42s} {most:8d}      bare model {bare_most:8d}"
        f"   ratio {most / max(bare_most, 1):5.2f}x"
    )
    print(
        f"{'rowCount calls per busy turn (mean)':42s} {mean:8.1f}      bare model {bare_mean:8.1f}"
        f"   ratio {mean / max(bare_mean, 1):5.2f}x"
    )
    print(
        f"{'rowCount calls per page':42s} {calls / max(rows / PAGE, 1):8.1f}      bare model"
        f" {bare_calls / max(rows / PAGE, 1):8.1f}"
        f"   ratio {calls / max(bare_calls, 1):5.2f}x"
    )


if __name__ == "__main__":
    main()
