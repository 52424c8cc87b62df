"""The main window's menu bar is made whole, in the usual order, before any
feature adds to it."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMainWindow

from snorq_desktop.ui.menu_bar import add_above_quit, build_menu_bar


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


def test_file_ends_with_quit_which_ctrl_q_also_does(qtbot):
    """There was no Quit: Ctrl+Q did nothing, and File held only Back up… and Restore…."""
    window = QMainWindow()
    qtbot.addWidget(window)
    menus = build_menu_bar(window)
    add_above_quit(menus.file, QAction("&Back up…", window))
    add_above_quit(menus.file, QAction("&Restore…", window))
    entries = [a.text() for a in menus.file.actions()]
    assert entries == ["&Back up…", "&Restore…", "", "&Quit"]
    typing = QLineEdit()
    window.setCentralWidget(typing)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    assert window.isVisible()
    qtbot.keyClick(typing, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
