"""A connection of its own that LISTENs for the team's changes and for webhook
events, on a thread of its own; it reconnects by itself when the database
comes back, and says so, since what happened meanwhile was not heard.

A webhook event is not the window's business: the listener wakes the sync
runner's intake (``on_webhook``), the one owner of storing what the relay
received; the window hears only what the team changed (``on_team_notice``)."""

import logging
import threading
import time
from collections.abc import Callable

import psycopg

from snorq_desktop.domain.team_notice import WEBHOOK_CHANNEL

log = logging.getLogger(__name__)


class ChangeListener:
    def __init__(
        self,
        conninfo: str,
        team_channel: str,
        *,
        on_team_notice: Callable[[str], None],
        on_webhook: Callable[[], None],
        on_connected: Callable[[], None],
    ) -> None:
        """The callbacks run on the listener's thread: they must only hand over."""
        self._conninfo = conninfo
        self._team_channel = team_channel  # the organisation's own (domain.team_notice)
        self._on_team_notice = on_team_notice
        self._on_webhook = on_webhook
        self._on_connected = on_connected
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="snorq-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as db:
                    for channel in (self._team_channel, WEBHOOK_CHANNEL):
                        db.execute(f'LISTEN "{channel}"')
                    backoff = 0.5
                    self._on_connected()  # catch up on what was not heard
                    while not self._stop.is_set():
                        for notice in db.notifies(timeout=0.5):
                            if notice.channel == WEBHOOK_CHANNEL:
                                self._on_webhook()
                            elif notice.channel == self._team_channel:
                                self._on_team_notice(notice.payload)
            except psycopg.OperationalError as error:
                log.info(
                    "change listener lost the database (%s); retrying",
                    str(error).splitlines()[0] if str(error) else type(error).__name__,
                )
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            except Exception:
                log.exception("change listener failed; restarting it")
                time.sleep(1)
