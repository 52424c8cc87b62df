"""SNORQ Desktop: one inbox for TikTok, WhatsApp Business and Facebook Messenger."""

from importlib.metadata import PackageNotFoundError, version


def _installed_version() -> str:
    # The same package ships as snorq-desktop (the app) and snorq-relay (no window).
    for distribution in ("snorq-desktop", "snorq-relay"):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "0.0.0+unknown"  # a source tree that was never installed


__version__ = _installed_version()
