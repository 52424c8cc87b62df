"""`snorq-desktop plan show|activate FILE` on a real team database, signed in
through the local OpenID Connect server, as the owner's own database login."""

import sys
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import URL

from snorq_desktop.boot.cli import main
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.demo.fakes.oidc import FakeGoogle
from snorq_desktop.domain.enums import PlanType
from snorq_desktop.secrets import licence as licence_module
from snorq_desktop.secrets.licence import issue_licence, public_key_text
from snorq_desktop.store.database import create_database_engine

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    fake.start()
    monkeypatch.setenv("SNORQ_GOOGLE_ISSUER", fake.url)
    monkeypatch.setenv("SNORQ_GOOGLE_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("SNORQ_GOOGLE_CLIENT_SECRET", fake.client_secret)
    monkeypatch.setenv("BROWSER", f"{sys.executable} -m snorq_desktop.demo.fakes.oidc %s")
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    yield fake
    fake.stop()


@pytest.fixture
def test_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The app as built for the tests: this test's public key in place of SNORQ's."""
    built_in = tmp_path / "snorq_public_key.txt"
    built_in.write_text(public_key_text(KEY.public_key()))
    monkeypatch.setattr(licence_module, "_BUILT_IN", built_in)


def test_plan_show_and_activate_from_the_command_line(
    google, test_key, database_url: URL, tmp_path: Path, capsys
) -> None:
    administrator = database_url.render_as_string(hide_password=False)
    assert main(["--database-url", administrator, "login", "--timeout", "60"]) == 0
    assert main(["--database-url", administrator, "team", "create", "--name", "Maya's Shop"]) == 0
    capsys.readouterr()
    own = Settings.load(AppPaths.resolve().settings_file).database_url
    assert own is not None and "snorq_member_" in own  # the owner's own login from here on

    assert main(["plan", "show"]) == 0
    shown = capsys.readouterr().out
    assert "plan:     Free" in shown and "seats:    1 of 1 used" in shown

    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        organization_id, slug = connection.execute(text("SELECT id, slug FROM organizations")).one()
    file = tmp_path / "maya.licence"

    # Another shop's licence: one sentence, exit 1, nothing stored.
    file.write_text(
        issue_licence(KEY, organization_id="c-other", organization_slug="leos", plan=PlanType.PRO)
    )
    assert main(["plan", "activate", str(file)]) == 1
    assert capsys.readouterr().err == (
        f"snorq-desktop: This licence is for another organisation (leos), not {slug}: ask "
        f"SNORQ for a licence for {slug}.\n"
    )
    assert main(["plan", "activate", str(tmp_path / "missing.licence")]) == 1
    assert "There is no licence file at" in capsys.readouterr().err

    # Its own, with the options after the command as before it.
    file.write_text(
        issue_licence(
            KEY, organization_id=organization_id, organization_slug=slug, plan=PlanType.PRO
        )
    )
    assert main(["plan", "activate", str(file), "--database-url", own, "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "Maya's Shop is now on the Pro plan." in out
    assert "seats:    1 of 3 used" in out and "licence:  Pro, ends " in out
    with engine.connect() as connection:
        assert connection.execute(text("SELECT plan::text FROM organizations")).scalar() == "PRO"
        assert connection.execute(text("SELECT count(*) FROM licences")).scalar() == 1
    engine.dispose()
