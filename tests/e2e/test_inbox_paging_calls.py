"""Paging the inbox asks the model for its row count a bounded number of times
per page, whatever the number of rows already loaded (a QListView laid out all
of them again on every page: about two calls per loaded row)."""

from PySide6.QtCore import QModelIndex

from snorq_desktop.ui.inbox_model import InboxModel
from tests.e2e.conftest import idle

ROWS_ON_SCREEN = 20  # the window's list is about 800 px of 68 px rows


def test_a_page_costs_the_rows_on_screen_not_the_rows_loaded(shop, make_window, qtbot, monkeypatch):
    shop.add_conversations(600)
    calls = [0]
    row_count = InboxModel.rowCount

    def counted(self: InboxModel, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        calls[0] += 1
        return row_count(self, parent)

    monkeypatch.setattr(InboxModel, "rowCount", counted)
    running = make_window()
    window = running.window
    window.resize(1000, 800)
    idle(qtbot, running)
    per_page = []
    while window.inbox.canFetchMore():
        calls[0] = 0
        window.inbox.fetchMore()
        idle(qtbot, running)
        qtbot.wait(50)  # the view's own layout, if it defers any, runs now
        per_page.append(calls[0])
    assert row_count(window.inbox) == 600
    assert len(per_page) >= 5  # and one that finds no more
    # The last pages (500-600 rows loaded) cost what the second did.
    assert max(per_page) <= 10 * ROWS_ON_SCREEN, per_page
