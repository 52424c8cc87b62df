"""Contact pictures: fetched once from their URL into the cache, then painted."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtGui import QColor, QImage

from snorq_desktop.services.avatars import AvatarDownloader
from snorq_desktop.ui.avatars import CachedAvatars


def _png(folder) -> bytes:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a9d8f"))
    target = folder / "picture.png"
    assert image.save(str(target))
    return target.read_bytes()


@pytest.fixture
def picture_server(qapp, tmp_path):
    body = _png(tmp_path)
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path == "/ana.png":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_a_picture_is_fetched_once_then_painted_from_the_cache(
    picture_server, tmp_path, qtbot, plumbing
):
    base, hits = picture_server
    downloader = AvatarDownloader(tmp_path / "avatars", plumbing.http, plumbing.worker)
    avatars = CachedAvatars(downloader)
    url = f"{base}/ana.png"
    assert avatars.pixmap(url) is None  # initials meanwhile
    with qtbot.waitSignal(avatars.avatar_ready, timeout=5000) as ready:
        pass
    assert ready.args == [url]
    picture = avatars.pixmap(url)
    assert picture is not None and not picture.isNull()
    assert downloader.cached_file(url).exists()
    # a new app finds it in the cache without asking again
    again = CachedAvatars(AvatarDownloader(tmp_path / "avatars", plumbing.http, plumbing.worker))
    assert again.pixmap(url) is not None
    assert hits == ["/ana.png"]


def test_a_missing_picture_is_asked_for_once_and_initials_stay(
    picture_server, tmp_path, qtbot, plumbing
):
    base, hits = picture_server
    downloader = AvatarDownloader(tmp_path / "avatars", plumbing.http, plumbing.worker)
    avatars = CachedAvatars(downloader)
    url = f"{base}/gone.png"
    assert avatars.pixmap(url) is None
    qtbot.waitUntil(lambda: hits == ["/gone.png"], timeout=5000)
    qtbot.wait(100)
    assert avatars.pixmap(url) is None
    assert hits == ["/gone.png"]
