"""One thread does all database work, so the window never waits on it and
sessions never cross threads.  A lost connection becomes DatabaseUnavailable
(a sentence for the banner), never a traceback."""

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


class DatabaseWorker:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snorq-db")

    def submit(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> "Future[T]":
        def guarded() -> T:
            try:
                return work(*args, **kwargs)
            except DBAPIError as error:
                if _is_connection_problem(error):
                    log.warning("database unreachable: %s", str(error.orig).strip().splitlines()[0])
                    raise DatabaseUnavailable(
                        "The database cannot be reached; reconnecting…"
                    ) from error
                raise

        return self._executor.submit(guarded)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
