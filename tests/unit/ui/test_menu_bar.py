"""The main window's menu bar is made whole, in the usual order, before any
feature adds to it."""

from PySide6.QtWidgets import QMainWindow

from snorq_desktop.ui.menu_bar import build_menu_bar


def test_the_menus_come_in_the_usual_order_and_are_the_ones_handed_out(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    menus = build_menu_bar(window)
    menus.team.addAction("Members…")  # a feature adds where it was told, in any order
    menus.file.addAction("Back up…")
    shown = [action.menu() for action in window.menuBar().actions()]
    assert shown == [
        menus.file,
        menus.view,
        menus.labels,
        menus.team,
        menus.conversation,
        menus.help,
    ]
    assert [a.text() for a in window.menuBar().actions()] == [
        "&File",
        "&View",
        "&Labels",
        "&Team",
        "&Conversation",
        "&Help",
    ]
