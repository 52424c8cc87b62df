"""Notices from the listener thread, delivered on the UI thread."""

from PySide6.QtCore import QObject, Signal


class TeamNotices(QObject):
    """Signals:
    - ``heard(str)``: what the team changed (a NOTIFY payload) from the database;
    - ``reconnected()``: listening again after a gap (or live updates are off and
      it is time to check): catch up;
    - ``live_changed(bool)``: whether the team's changes are heard as they happen.
    """

    heard = Signal(str)
    reconnected = Signal()
    live_changed = Signal(bool)
