"""PgBouncer in transaction mode in front of the test server, from the very
configuration the project ships (packaging/pgbouncer/pgbouncer.ini).

PgBouncer refuses to run as root, so on these machines it runs as the
`postgres` system user, like the test server itself."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

CONFIG = Path(__file__).resolve().parent.parent / "packaging" / "pgbouncer" / "pgbouncer.ini"


def pgbouncer_program() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def pgbouncer_in_front_of(server: URL, logins: dict[str, str] | None = None) -> Iterator[URL]:
    """Start PgBouncer (transaction pooling) in front of `server`; yields the same
    URL pointed at PgBouncer.  `logins` adds more name → password pairs to the
    ones PgBouncer accepts (the server URL's own login is always there)."""
    program = pgbouncer_program()
    if program is None:
        raise RuntimeError("PgBouncer is not installed: apt-get install pgbouncer")
    run_dir = Path(tempfile.mkdtemp(prefix="snorq-pgbouncer-"))
    run_dir.chmod(0o755)
    users = {server.username or "postgres": server.password or "", **(logins or {})}
    (run_dir / "userlist.txt").write_text(
        "".join(f'"{name}" "{password}"\n' for name, password in users.items())
    )
    port = _free_port()
    values = {
        "SERVER_HOST": server.host or "127.0.0.1",
        "SERVER_PORT": str(server.port or 5432),
        "LISTEN_HOST": "127.0.0.1",
        "LISTEN_PORT": str(port),
        "RUN_DIR": str(run_dir),
    }
    text = CONFIG.read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    config = run_dir / "pgbouncer.ini"
    config.write_text(text)
    if os.geteuid() == 0:
        shutil.chown(run_dir, "postgres")
        for path in run_dir.iterdir():
            shutil.chown(path, "postgres")
    process = subprocess.Popen(
        _as_server_user([program, str(config)]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                log = run_dir / "pgbouncer.log"
                said = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"PgBouncer did not start: {said}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield server.set(host="127.0.0.1", port=port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(run_dir, ignore_errors=True)
