"""The app's one worker: the database lane in order, long work beside it."""

import threading

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from snorq_desktop.domain.errors import DatabaseUnavailable
from snorq_desktop.services.worker import DatabaseWorker

WAIT = 10  # seconds before a test gives up on a lane that never answers (a hang, not a figure)


@pytest.fixture
def worker():
    made = DatabaseWorker()
    yield made
    made.shutdown()


def test_the_database_lane_runs_in_the_order_asked(worker):
    done: list[int] = []
    futures = [worker.submit(done.append, n) for n in range(50)]
    for future in futures:
        future.result(WAIT)
    assert done == list(range(50))


def test_long_work_never_holds_up_the_database_lane(worker):
    release = threading.Event()
    backup = worker.submit_long(release.wait, WAIT)
    # The window's query comes back while the long job is still waiting.
    assert worker.submit(lambda: "inbox page").result(WAIT) == "inbox page"
    assert not backup.done()
    release.set()
    assert backup.result(WAIT) is True


def test_a_lost_connection_is_a_sentence_on_either_lane(worker):
    def unreachable() -> None:
        raise OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))

    for lane in (worker.submit, worker.submit_long):
        with pytest.raises(DatabaseUnavailable, match="cannot be reached"):
            lane(unreachable).result(WAIT)


def test_other_errors_reach_the_caller_as_they_are(worker):
    def broken() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        worker.submit(broken).result(WAIT)
