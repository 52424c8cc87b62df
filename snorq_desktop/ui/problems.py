"""The sentence a page shows for a task that failed."""

from snorq_desktop.domain.errors import KnownError


def sentence_of(error: Exception) -> str:
    """A known problem's own sentence; anything else is a bug, detailed in the log
    (the task runner logs it)."""
    if isinstance(error, KnownError):
        return error.sentence
    return "Something went wrong; the details are in the log file."
