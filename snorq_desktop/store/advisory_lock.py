"""PostgreSQL advisory locks held on a connection of their own: what makes one
app of the team at a time work a platform connection, or run the history purge.

A session lock outlives the transactions run beside it and dies with the
connection, so an app that crashes never leaves a connection locked.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text


def take(engine: Engine, key: str) -> Connection | None:
    """The connection holding ``key``'s lock, or None if another session holds it."""
    # Autocommit: one round trip to take it, none to begin or end a transaction
    # (the lock belongs to the session, not to a transaction).
    db = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        taken = db.execute(
            text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": key}
        ).scalar()
    except BaseException:
        db.close()
        raise
    if not taken:
        db.close()
        return None
    return db


def give_back(db: Connection, key: str) -> None:
    try:
        db.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": key})
    finally:
        db.close()


@contextmanager
def held(engine: Engine, key: str) -> Iterator[bool]:
    """``with held(engine, key) as taken:`` (False: another app holds it)."""
    db = take(engine, key)
    try:
        yield db is not None
    finally:
        if db is not None:
            give_back(db, key)
