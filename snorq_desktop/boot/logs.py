"""A rotating log file, with anything that looks like a secret blanked out."""

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

# Sealed tokens (b1:mark:k1:iv:tag:ct, or the older k1:iv:tag:ct), bearer
# headers, and passwords in URLs.
_SECRET_PATTERNS = (
    (
        re.compile(r"\b(?:b1:[0-9a-f]{16}:)?k\d+:[0-9a-f]{24,}:[0-9a-f]{32}:[0-9a-f]+"),
        "<sealed token>",
    ),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1***"),
    (re.compile(r"(?i)(access[-_]token[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+"), r"\1***"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(log_file: Path, *, verbose: bool = False) -> None:
    """Log to ``log_file`` (1 MB × 5 files), and warnings to stderr."""
    log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_snorq", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = RotatingFileHandler(
        log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
    )
    file_handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    file_handler._snorq = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Libraries' chatter stays out unless asked for.
    for noisy in ("sqlalchemy.engine", "httpx", "httpcore", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
