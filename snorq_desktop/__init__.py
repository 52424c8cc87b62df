"""SNORQ Desktop: one inbox for TikTok, WhatsApp Business and Facebook Messenger."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("snorq-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
