"""Opening the system browser on a login page, and telling when it could not be
opened, so the page can show the link to open by hand instead of a dead end."""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Opener = Callable[[str], object]


def opened(opener: Opener, url: str) -> bool:
    """Whether ``opener`` opened ``url``.  False when it says so (``webbrowser.open``
    with no browser, ``QDesktopServices.openUrl`` that failed) or when it raises (a
    broken $BROWSER, no display)."""
    try:
        return bool(opener(url))
    except Exception:  # whatever the opener met, the person can still open the link
        log.warning("the web browser could not be opened", exc_info=True)
        return False


def open_or_show(opener: Opener, show_link: Callable[[str], None]) -> Callable[[str], bool]:
    """An opener that, when ``opener`` fails, hands the link to ``show_link`` (from
    the thread it runs on) and says it was opened: the login then goes on waiting
    for the person, who opens the link themselves."""

    def open_it(url: str) -> bool:
        if not opened(opener, url):
            show_link(url)
        return True

    return open_it
