"""Notices from the listener thread, delivered on the UI thread."""

from PySide6.QtCore import QObject, Signal


class TeamNotices(QObject):
    """Signals:
    - ``heard(str)``: what the team changed (a NOTIFY payload) from the database;
    - ``reconnected()``: listening again after a gap: catch up.
    """

    heard = Signal(str)
    reconnected = Signal()
