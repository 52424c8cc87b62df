"""Fetching a file from a platform's download link, with the app's size ceiling."""

import httpx

from snorq_desktop.domain.attachments import KEEP_AT_MOST, DownloadedFile, human_size
from snorq_desktop.platforms.errors import PermanentFailure, TemporaryFailure


class FileTooLarge(PermanentFailure):
    """A customer's file bigger than the app keeps; its size is known."""

    def __init__(self, sentence: str, size: int) -> None:
        super().__init__(sentence)
        self.size = size


def too_large(size: int) -> FileTooLarge:
    return FileTooLarge(
        f"This file is {human_size(size)}; SNORQ keeps files up to "
        f"{human_size(KEEP_AT_MOST)}. Open it on the platform.",
        size,
    )


async def fetch_file(
    http: httpx.AsyncClient,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    mime_type: str | None = None,
    platform: str,
) -> DownloadedFile:
    """The bytes behind a download link, read as a stream so an oversized file
    is refused after the ceiling, not after the whole download."""
    try:
        async with http.stream("GET", url, headers=headers or {}) as response:
            if response.status_code in (401, 403, 404, 410):
                raise PermanentFailure(
                    f"{platform} no longer offers this file (HTTP {response.status_code})."
                )
            if response.status_code >= 400:
                raise TemporaryFailure(
                    f"{platform} answered HTTP {response.status_code} for a file."
                )
            announced = response.headers.get("content-length", "")
            if announced.isdigit() and int(announced) > KEEP_AT_MOST:
                raise too_large(int(announced))
            chunks: list[bytes] = []
            received = 0
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > KEEP_AT_MOST:
                    raise too_large(received)
                chunks.append(chunk)
            mime = mime_type or response.headers.get("content-type", "").split(";")[0].strip()
            return DownloadedFile(b"".join(chunks), mime or "application/octet-stream")
    except httpx.TimeoutException:
        raise TemporaryFailure(f"{platform} did not send the file in time.") from None
    except httpx.TransportError as error:
        raise TemporaryFailure(
            f"{platform} could not be reached for a file ({type(error).__name__})."
        ) from None
