"""The banner that says live updates are off: the app cannot LISTEN (a pooler
in the way and no direct ``listen_url``, or that address unreachable), so the
team's changes show at the next catch-up instead of at once."""

from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget


class LiveUpdatesBanner(QLabel):
    def __init__(self, parent: QWidget, banners: QBoxLayout, every_seconds: float) -> None:
        super().__init__(parent)
        self.setObjectName("liveUpdatesBanner")
        self.setWordWrap(True)
        self.setStyleSheet("background:#e5e7eb;color:#1f2328;padding:6px 12px")
        self.setText(f"Live updates are off: checking every {every_seconds:g} s")
        self.setToolTip(
            "The team database's address goes through a connection pooler, which cannot "
            "pass on live updates. Give SNORQ Desktop a direct address for them "
            '("listen_url" in the settings, or --listen-url).'
        )
        self.hide()
        banners.insertWidget(0, self)

    def show_live(self, live: bool) -> None:
        self.setVisible(not live)
