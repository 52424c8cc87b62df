"""A connection of its own that LISTENs for the team's changes and for webhook
events, on a thread of its own; it reconnects by itself when the database
comes back, and says so, since what happened meanwhile was not heard.

A webhook event is not the window's business: the listener wakes the sync
runner's intake (``on_webhook``), the one owner of storing what the relay
received; the window hears only what the team changed (``on_team_notice``).

LISTEN needs a session of its own.  Through a transaction-mode pooler
(PgBouncer) it connects and LISTENs without an error and then hears nothing,
so after LISTEN the listener sends itself a notice from another connection and
waits for it.  Not heard, or no connection at all: live updates are off
(``on_live(False)``) and the listener catches up every few seconds instead
(``on_connected``, the same catch-up as after a reconnect), trying to listen
again now and then; a direct ``listen_url`` past the pooler keeps them live.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable

import psycopg

from snorq_desktop.domain.team_notice import WEBHOOK_CHANNEL

log = logging.getLogger(__name__)

PROBE_CHANNEL = "snorq_listen_probe"
# With live updates off, the window catches up this often (seconds): soon enough
# for a conversation, light on a database shared by a few apps.
CATCH_UP_SECONDS = 5.0
_PROBE_SECONDS = 3.0
_LISTEN_AGAIN_EVERY = 12  # catch-ups between tries to listen again (a minute)


class NothingHeard(Exception):
    """LISTEN was accepted but its own notice never came back (a pooler between)."""


class ChangeListener:
    def __init__(
        self,
        conninfo: str,
        team_channel: str,
        *,
        on_team_notice: Callable[[str], None],
        on_webhook: Callable[[], None],
        on_connected: Callable[[], None],
        on_live: Callable[[bool], None] = lambda _: None,
        catch_up_seconds: float = CATCH_UP_SECONDS,
    ) -> None:
        """The callbacks run on the listener's thread: they must only hand over."""
        self._conninfo = conninfo
        self._team_channel = team_channel  # the organisation's own (domain.team_notice)
        self._on_team_notice = on_team_notice
        self._on_webhook = on_webhook
        self._on_connected = on_connected
        self._on_live = on_live
        self.catch_up_seconds = catch_up_seconds
        self._live: bool | None = None
        self._backoff = 0.5  # seconds before trying to connect again
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="snorq-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _set_live(self, live: bool) -> None:
        if live != self._live:
            self._live = live
            self._on_live(live)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except NothingHeard as error:
                log.info(
                    "change listener: %s; catching up every %g s", error, self.catch_up_seconds
                )
                self._catch_up_for_a_while()
            except psycopg.OperationalError as error:
                log.info(
                    "change listener lost the database (%s); retrying",
                    str(error).splitlines()[0] if str(error) else type(error).__name__,
                )
                if self._backoff >= self.catch_up_seconds:
                    # Not a blip: until it can listen again, the window catches up.
                    self._set_live(False)
                    self._on_connected()
                self._stop.wait(self._backoff)
                self._backoff = min(self._backoff * 2, self.catch_up_seconds)
            except Exception:
                log.exception("change listener failed; restarting it")
                time.sleep(1)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as db:
            for channel in (self._team_channel, WEBHOOK_CHANNEL, PROBE_CHANNEL):
                db.execute(f'LISTEN "{channel}"')
            self._hear_myself(db)
            self._backoff = 0.5
            self._set_live(True)
            self._on_connected()  # catch up on what was not heard
            while not self._stop.is_set():
                for notice in db.notifies(timeout=0.5):
                    self._hand_over(notice)

    def _hear_myself(self, db: psycopg.Connection[object]) -> None:
        token = uuid.uuid4().hex
        # From another connection: through a pooler, a notice sent on the
        # listening connection could come back to it on the same server
        # connection and prove nothing.
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as other:
            other.execute("SELECT pg_notify(%s, %s)", (PROBE_CHANNEL, token))
        deadline = time.monotonic() + _PROBE_SECONDS
        while (left := deadline - time.monotonic()) > 0 and not self._stop.is_set():
            for notice in db.notifies(timeout=min(left, 0.5)):
                if notice.channel == PROBE_CHANNEL and notice.payload == token:
                    return
                self._hand_over(notice)
        raise NothingHeard("LISTEN is accepted here but hears nothing: a pooler is in the way")

    def _hand_over(self, notice: psycopg.Notify) -> None:
        if notice.channel == WEBHOOK_CHANNEL:
            self._on_webhook()
        elif notice.channel == self._team_channel:
            self._on_team_notice(notice.payload)

    def _catch_up_for_a_while(self) -> None:
        """Live updates are off: catch up every few seconds, then try listening again."""
        self._set_live(False)
        for _ in range(_LISTEN_AGAIN_EVERY):
            self._on_connected()
            if self._stop.wait(self.catch_up_seconds):
                return
