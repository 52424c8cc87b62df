"""Transactions live here, not in repositories: a repository never commits."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.errors import PermissionDenied

_INSUFFICIENT_PRIVILEGE = "42501"  # also what a row-level security policy's check raises


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error.

    The database refusing a member's login (a privilege it lacks, a row its
    role may not write: migration 0013) is a sentence, not a crash."""
    try:
        with factory() as session, session.begin():
            yield session
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
            raise
        raise PermissionDenied(
            "The team database refused this: your role in the organisation does not allow it."
        ) from None
