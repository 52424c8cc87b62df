"""The app's one way of working off the window's thread.

One thread does the window's database work, in the order it was asked, so the
window never waits on it and sessions never cross threads.  Work that waits
minutes (a backup, moving the data to a team database, a browser login, a
contact picture's download) runs on a second lane, so the window's queries
never queue behind it.  A lost connection becomes DatabaseUnavailable (a
sentence for the banner), never a traceback.

Made once, by the composition root, and handed to whatever needs it.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from snorq_desktop.domain.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


def _is_connection_problem(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)


LONG_LANE_THREADS = 4  # a backup, a login and two pictures at once


class DatabaseWorker:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snorq-db")
        self._long = ThreadPoolExecutor(
            max_workers=LONG_LANE_THREADS, thread_name_prefix="snorq-long"
        )

    def submit(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> "Future[T]":
        """On the database lane: one at a time, in the order asked."""
        return self._executor.submit(_guarded(work, *args, **kwargs))

    def submit_long(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> "Future[T]":
        """On the long lane: work that may wait minutes, beside the database lane."""
        return self._long.submit(_guarded(work, *args, **kwargs))

    def shutdown(self) -> None:
        self._long.shutdown(wait=False, cancel_futures=True)
        self._executor.shutdown(wait=True, cancel_futures=True)


def _guarded(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Callable[[], T]:
    def guarded() -> T:
        try:
            return work(*args, **kwargs)
        except DBAPIError as error:
            if _is_connection_problem(error):
                log.warning("database unreachable: %s", str(error.orig).strip().splitlines()[0])
                sentence = "The database cannot be reached; reconnecting…"
                raise DatabaseUnavailable(sentence) from error
            raise

    return guarded
