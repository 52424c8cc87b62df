"""The command's own module loads its database, HTTP and crypto libraries before
anything loads PySide6: PySide6's import hook makes every module imported after
it cost more memory (16 MB for these; bench/inbox_scroll.py), so the window
must come after them, as it does when ``snorq-desktop`` starts."""

import subprocess
import sys


def test_the_command_loads_its_libraries_before_pyside6() -> None:
    probe = (
        "import sys; import snorq_desktop.boot.cli; "
        "print(sorted(m for m in ('PySide6', 'sqlalchemy', 'psycopg', 'httpx', 'cryptography') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "['cryptography', 'httpx', 'psycopg', 'sqlalchemy']"
