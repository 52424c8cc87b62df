"""`snorq-desktop team create|invite|members|remove` and `join`, each a real
process on a real team database, signing in through the local OpenID Connect
server: the owner gets a database login of their own, the invited member's
app joins through the login their invite made, and removing them ends it."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.demo.fakes.oidc import FakeAccount, FakeGoogle


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    fake.start()
    yield fake
    fake.stop()


class App:
    """One person's SNORQ Desktop on one computer (a SNORQ_HOME of its own)."""

    def __init__(self, home: Path, google: FakeGoogle) -> None:
        self.home = home
        self.environment = {
            **os.environ,
            "SNORQ_HOME": str(home),
            "SNORQ_GOOGLE_ISSUER": google.url,
            "SNORQ_GOOGLE_CLIENT_ID": google.client_id,
            "SNORQ_GOOGLE_CLIENT_SECRET": google.client_secret,
            "BROWSER": f"{sys.executable} -m snorq_desktop.demo.fakes.oidc %s",
            # These processes have no keychain: the sign-in goes to an allowed file.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "SNORQ_ALLOW_KEY_FILE": "1",
        }
        self.environment.pop("SNORQ_DATABASE_PASSWORD", None)

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "snorq_desktop", *arguments],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def database_url(self) -> str:
        saved = Settings.load(AppPaths.resolve(self.home).settings_file).database_url
        assert saved is not None
        return saved


def _admin(url: URL) -> psycopg.Connection[tuple[object, ...]]:
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


def test_team_commands_from_create_to_remove(
    google: FakeGoogle, database_url: URL, tmp_path: Path
) -> None:
    administrator = database_url.render_as_string(hide_password=False)
    maya = App(tmp_path / "maya", google)
    signed_in = maya.run("--database-url", administrator, "login", "--timeout", "60")
    assert signed_in.returncode == 0, signed_in.stderr

    not_yet = maya.run("--database-url", administrator, "team", "members")
    assert not_yet.returncode == 1 and "team create --name" in not_yet.stderr

    created = maya.run("--database-url", administrator, "team", "create", "--name", "Maya's Shop")
    assert created.returncode == 0, created.stderr
    assert "Created Maya's Shop; you are its OWNER." in created.stdout
    # From now on Maya's app logs in as her own login, not the administrator's.
    assert (make_url(maya.database_url()).username or "").startswith("snorq_member_")
    assert maya.database_url().startswith("postgresql://")  # one psql takes as it is
    with _admin(database_url) as admin:
        admin.execute("UPDATE organizations SET plan = 'PRO'")

    members = maya.run("team", "members")
    assert members.returncode == 0, members.stderr
    [line] = members.stdout.splitlines()
    email, role, login = line.split("\t")
    assert (email, role) == ("maya@example.com", "OWNER") and login.startswith("snorq_member_")

    refused = maya.run("team", "invite", "leo@example.com", "--role", "OWNER")
    assert refused.returncode == 2  # argparse: OWNER is never invited
    invited = maya.run("team", "invite", "ben@example.com", "--role", "ADMIN")
    assert invited.returncode == 0, invited.stderr
    code = invited.stdout.strip()
    assert code.startswith("snorq-invite-1.")

    google.account = FakeAccount(sub="ben-sub", email="ben@example.com", name="Ben Ito")
    ben = App(tmp_path / "ben", google)
    assert ben.run("--database-url", administrator, "login", "--timeout", "60").returncode == 0
    joined = ben.run("join", code)
    assert joined.returncode == 0, joined.stderr
    assert "ben@example.com joined Maya's Shop" in joined.stdout
    assert (make_url(ben.database_url()).username or "").startswith("snorq_member_")
    # The saved address is one psql (libpq) takes as it is, copied from the file.
    assert ben.database_url().startswith("postgresql://")
    with psycopg.connect(ben.database_url()) as copied:
        [(login,)] = copied.execute("SELECT current_user").fetchall()
        assert str(login).startswith("snorq_member_")
    again = ben.run("join", code)
    assert again.returncode == 1 and "no longer opens" in again.stderr

    listed = maya.run("team", "members")
    rows = sorted(tuple(line.split("\t")) for line in listed.stdout.splitlines())
    assert [(r[0], r[1]) for r in rows] == [
        ("ben@example.com", "ADMIN"),
        ("maya@example.com", "OWNER"),
    ]
    assert all(r[2].startswith("snorq_member_") for r in rows)
    assert ben.run("team", "members").returncode == 0  # an admin sees the team too

    removed = maya.run("team", "remove", "ben@example.com")
    assert removed.returncode == 0, removed.stderr
    assert "Removed ben@example.com from Maya's Shop" in removed.stdout
    assert "no longer opens" in removed.stdout
    after = ben.run("team", "members")
    assert after.returncode == 1 and "Traceback" not in after.stderr
    gone = maya.run("team", "remove", "ben@example.com")
    assert gone.returncode == 1 and "is not a member of Maya's Shop" in gone.stderr
