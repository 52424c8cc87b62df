"""Contact pictures, fetched once into the cache folder and kept there."""

import hashlib
import logging
import os
from concurrent.futures import Future
from pathlib import Path

import httpx

from snorq_desktop.services.worker import DatabaseWorker

log = logging.getLogger(__name__)

MAX_BYTES = 2_000_000
TIMEOUT_SECONDS = 10.0


class AvatarDownloader:
    """Downloads on the app's HTTP client, on the worker's long lane: network waits
    stay off the window and never hold up its database queries."""

    def __init__(self, cache_dir: Path, http: httpx.Client, worker: DatabaseWorker) -> None:
        self.cache_dir = cache_dir
        self._http = http
        self._worker = worker

    def cached_file(self, url: str) -> Path:
        return self.cache_dir / hashlib.sha256(url.encode("utf-8")).hexdigest()

    def fetch(self, url: str) -> "Future[Path | None]":
        return self._worker.submit_long(self._download, url)

    def _download(self, url: str) -> Path | None:
        target = self.cached_file(url)
        if target.exists():
            return target
        try:
            response = self._http.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as error:
            log.info("avatar not fetched (%s): %s", type(error).__name__, url.split("?")[0])
            return None
        if not response.headers.get("content-type", "").startswith("image/"):
            return None
        if len(response.content) > MAX_BYTES:
            return None
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(response.content)
        temporary.replace(target)
        return target
