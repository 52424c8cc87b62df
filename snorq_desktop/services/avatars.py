"""Contact pictures, fetched once into the cache folder and kept there."""

import hashlib
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

MAX_BYTES = 2_000_000


class AvatarDownloader:
    def __init__(self, cache_dir: Path, client: httpx.Client | None = None) -> None:
        self.cache_dir = cache_dir
        self._client = client or httpx.Client(timeout=10, follow_redirects=True)
        # Network waits stay off the database worker and the window.
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="snorq-avatars")

    def cached_file(self, url: str) -> Path:
        return self.cache_dir / hashlib.sha256(url.encode("utf-8")).hexdigest()

    def fetch(self, url: str) -> "Future[Path | None]":
        return self._executor.submit(self._download, url)

    def _download(self, url: str) -> Path | None:
        target = self.cached_file(url)
        if target.exists():
            return target
        try:
            response = self._client.get(url)
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

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._client.close()
