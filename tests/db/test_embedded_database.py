"""The built-in database: created, started, migrated, and stopped on exit.

PostgreSQL refuses root, and these machines run as root, so the app itself
runs the server as the `postgres` user there; a real desktop user is a normal
user, which `test_a_normal_user_...` checks by forking and dropping to
`nobody` before doing anything.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from snorq_desktop.boot.cli import main
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.embedded import EmbeddedServer, find_server_programs
from snorq_desktop.store.migrate import schema_status

SYSTEM_PROGRAMS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _conninfo(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _server_processes(pgdata: Path) -> int:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    return sum(1 for line in out.splitlines() if str(pgdata) in line and "postgres" in line)


def test_the_app_creates_migrates_and_stops_its_own_database(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["--home", str(home), "db", "upgrade"]) == 0
    assert "built-in database is at schema" in capsys.readouterr().out
    pgdata = home / "data" / "postgres" / "pgdata"
    assert (pgdata / "PG_VERSION").is_file()
    assert not (pgdata / "postmaster.pid").exists(), "the server must be stopped on exit"
    assert _server_processes(pgdata) == 0
    # A later start finds the cluster made, and its data still there.
    server = EmbeddedServer(home / "data" / "postgres")
    with server as url:
        engine = create_database_engine(url)
        assert schema_status(engine).up_to_date
        engine.dispose()
    assert not server.is_running()


def test_the_database_listens_on_loopback_only_and_asks_for_a_password(tmp_path):
    server = EmbeddedServer(tmp_path / "pg")
    with server as url:
        with psycopg.connect(_conninfo(url)) as connection:
            listen = connection.execute("SHOW listen_addresses").fetchone()
            sockets = connection.execute("SHOW unix_socket_directories").fetchone()
        assert listen == ("127.0.0.1",)
        assert sockets == ("",)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(_conninfo(url.set(password="wrong")))
    assert (os.stat(tmp_path / "pg" / "credentials.json").st_mode & 0o777) == 0o600


def test_a_second_app_on_the_same_computer_shares_the_server(tmp_path):
    first, second = EmbeddedServer(tmp_path / "pg"), EmbeddedServer(tmp_path / "pg")
    first_url = first.start()
    second_url = second.start()
    assert first_url.port == second_url.port
    assert first.release() is False, "the other app still uses the server"
    with psycopg.connect(_conninfo(second_url)) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
    assert second.release() is True
    assert not second.is_running()


def test_a_server_left_by_a_crashed_app_is_adopted_and_stopped(tmp_path):
    directory = tmp_path / "pg"
    pid = os.fork()
    if pid == 0:  # the "crashing" app: starts the server, then dies without cleaning up
        try:
            EmbeddedServer(directory).start()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    server = EmbeddedServer(directory)
    assert server.is_running()
    server.start()
    assert server.release() is True
    assert not server.is_running()


@pytest.mark.skipif(os.geteuid() != 0, reason="this check drops from root to a normal user")
@pytest.mark.skipif(not SYSTEM_PROGRAMS, reason="needs PostgreSQL programs a normal user can run")
def test_a_normal_user_gets_a_server_that_stops_on_exit():
    nobody = pwd.getpwnam("nobody")
    folder = Path(tempfile.mkdtemp(prefix="snorq-user-", dir="/tmp"))
    os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    programs = SYSTEM_PROGRAMS[-1]
    try:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setgroups([])
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
                server = EmbeddedServer(folder / "pg", programs=programs)
                url = server.start()
                with psycopg.connect(_conninfo(url)) as connection:
                    user = connection.execute("SELECT current_user").fetchone()
                stopped = server.release()
                code = 0 if user == ("snorq",) and stopped and not server.is_running() else 3
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        pgdata = folder / "pg" / "pgdata"
        assert pgdata.stat().st_uid == nobody.pw_uid, "the cluster belongs to the user"
        assert not (pgdata / "postmaster.pid").exists()
        assert _server_processes(pgdata) == 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_server_programs_are_found():
    programs = find_server_programs()
    assert (programs / "initdb").is_file()
    assert (programs / "pg_ctl").is_file()
