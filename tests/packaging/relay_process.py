"""`snorq-desktop relay` as a real process on a free loopback port."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy.engine import URL

RELAY_SECRETS = {
    "SNORQ_META_APP_SECRET": "meta-secret",
    "SNORQ_META_VERIFY_TOKEN": "verify-me",
    "SNORQ_TIKTOK_APP_SECRET": "tiktok-secret",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def plain_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def running_relay(command: Sequence[str], database: URL, home: Path, port: int) -> Iterator[Path]:
    """Starts ``command relay``, waits until /health answers 200, and yields the
    file that receives the process's stderr (complete once the block ends)."""
    environment = {
        **os.environ,
        **RELAY_SECRETS,
        "SNORQ_DATABASE_URL": plain_url(database),
        "SNORQ_HOME": str(home),
        "PORT": str(port),
    }
    home.mkdir(parents=True, exist_ok=True)
    errors = home / "relay.stderr"
    with errors.open("w") as sink:
        process = subprocess.Popen(
            [*command, "relay", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise AssertionError(f"the relay exited: {errors.read_text()[-2000:]}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the relay never answered /health"
                time.sleep(0.1)
            yield errors
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
