"""`snorq-desktop login` / `logout` against the local OpenID Connect server, with
$BROWSER naming a real program that plays the person in the browser."""

import os
import signal
import subprocess
import sys
import webbrowser
from collections.abc import Iterator

import keyring
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from snorq_desktop.boot.cli import main
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.demo.fakes.oidc import FakeGoogle
from snorq_desktop.domain.enums import MemberRole, PlanType
from snorq_desktop.secrets.account import ACCOUNT_ENTRY
from snorq_desktop.secrets.invite_code import TeamAddress
from snorq_desktop.secrets.keys import KEYCHAIN_SERVICE
from snorq_desktop.services.team import TeamService
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.database import create_database_engine
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.store.users import GoogleProfile


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    fake.start()
    monkeypatch.setenv("SNORQ_GOOGLE_ISSUER", fake.url)
    monkeypatch.setenv("SNORQ_GOOGLE_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("SNORQ_GOOGLE_CLIENT_SECRET", fake.client_secret)
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m snorq_desktop.demo.fakes.oidc %s")
    # webbrowser reads $BROWSER once per process: make it read ours.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    yield fake
    fake.stop()


def _keychain():
    return keyring.get_keyring()


def test_login_prints_who_signed_in_and_logout_forgets_them(google, database_url: URL, capsys):
    url = database_url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "login", "--timeout", "60"]) == 0
    out = capsys.readouterr().out
    assert "Signed in as Maya Okafor <maya@example.com>; not in an organisation yet" in out
    assert google.authorize_requests  # the browser program really went there
    stored = _keychain().get_password(KEYCHAIN_SERVICE, ACCOUNT_ENTRY)
    assert stored is not None and "fake-refresh-" in stored
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT email, google_id FROM users")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("maya@example.com", google.account.sub)]

    assert main(["--database-url", url, "logout"]) == 0
    assert "Signed out maya@example.com." in capsys.readouterr().out
    assert _keychain().get_password(KEYCHAIN_SERVICE, ACCOUNT_ENTRY) is None
    assert google.refresh_tokens == {}  # revoked at the issuer too
    assert main(["--database-url", url, "logout"]) == 0
    assert "Nobody was signed in." in capsys.readouterr().out


def test_a_declined_login_is_one_sentence_and_remembers_nobody(google, database_url, capsys):
    google.behaviour = "deny"
    url = database_url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "login", "--timeout", "60"]) == 1
    assert "declined in the browser" in capsys.readouterr().err
    assert _keychain().get_password(KEYCHAIN_SERVICE, ACCOUNT_ENTRY) is None


def test_a_login_never_finished_times_out(google, database_url, capsys):
    google.behaviour = "never"
    url = database_url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "login", "--timeout", "1"]) == 1
    assert "not finished in the browser within 1 minute" in capsys.readouterr().err


def test_login_without_a_client_id_says_where_to_put_it(database_url, capsys):
    url = database_url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "login"]) == 1
    assert "SNORQ_GOOGLE_CLIENT_ID" in capsys.readouterr().err


def test_join_uses_an_invite_and_points_the_app_at_the_team_database(
    google, database_url: URL, capsys, monkeypatch
):
    engine = create_database_engine(database_url)
    address = TeamAddress(
        "127.0.0.1",
        database_url.port or 5432,
        database_url.database or "",
        None,
        database_url.username,
    )
    owner_team = TeamService(session_factory(engine), address=address)
    owner, _ = owner_team.signed_in(GoogleProfile("g-o", "owner@example.com", True, "O", None))
    identity = owner_team.create_organization(owner, "Owner's Shop", "owners")
    with unit_of_work(session_factory(engine)) as session:
        orgs.change_plan(
            session, organization_id=identity.organization_id, actor_id=owner, plan=PlanType.PRO
        )
    code = owner_team.invite(identity, "maya@example.com", MemberRole.MEMBER)
    engine.dispose()

    # Maya's app: its own built-in database is not needed to sign in against the team's.
    url = database_url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "join", code]) == 1
    assert "Sign in first" in capsys.readouterr().err
    assert main(["--database-url", url, "login", "--timeout", "60"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SNORQ_DATABASE_PASSWORD", "wrong")
    assert main(["join", code]) == 1
    assert "password is wrong" in capsys.readouterr().err
    # The code opens the login the database made for Maya's invite: no password.
    monkeypatch.delenv("SNORQ_DATABASE_PASSWORD")
    assert main(["join", code]) == 0
    assert "maya@example.com joined Owner's Shop" in capsys.readouterr().out
    saved = Settings.load(AppPaths.resolve().settings_file)
    assert saved.database_url is not None and (database_url.database or "") in saved.database_url
    assert "snorq_member_" in saved.database_url  # her own login, with a password of its own
    assert main(["join", code]) == 1
    assert "no longer opens the team database" in capsys.readouterr().err


def test_ctrl_c_stops_a_login_waiting_on_the_browser(google, database_url: URL, tmp_path):
    google.behaviour = "never"
    environment = {
        **os.environ,
        "SNORQ_HOME": str(tmp_path / "cli-home"),
        # This process has no keychain: the sign-in would go to an allowed file.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "SNORQ_ALLOW_KEY_FILE": "1",
    }
    url = database_url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "snorq_desktop", "--database-url", url, "login"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "/authorize?" in line:
            break
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "Sign-in cancelled; nobody was signed in." in err
    assert not (tmp_path / "cli-home" / "config" / "google-account.json").exists()
