"""SNORQ's script makes a key pair outside the repository and issues licences
the app reads with that public key, and with no other."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.domain.licence import LicenceRefused, parse_licence, status_of
from snorq_desktop.secrets.licence import LicenceKeys, issue_licence, public_key_from_text

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "licence.py"


def _script(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60
    )


def test_the_script_makes_a_key_pair_and_issues_a_licence_the_app_reads(tmp_path: Path) -> None:
    private, public = tmp_path / "snorq.pem", tmp_path / "public.txt"
    made = _script("keygen", "--private-key", str(private), "--public-key", str(public))
    assert made.returncode == 0, made.stderr
    assert private.stat().st_mode & 0o077 == 0  # the owner's alone
    issued = _script(
        "issue",
        "--private-key",
        str(private),
        "--organization-id",
        "c1",
        "--slug",
        "maya",
        "--plan",
        "BUSINESS",
        "--days",
        "30",
    )
    assert issued.returncode == 0, issued.stderr
    licence = LicenceKeys(public_key_from_text(public.read_text())).read(issued.stdout)
    assert (licence.organization_id, licence.organization_slug) == ("c1", "maya")
    assert (licence.plan, licence.seats) == (PlanType.BUSINESS, 4)
    assert timedelta(days=29) < licence.expires_at - datetime.now(UTC) <= timedelta(days=30)
    # Neither the app's built-in key nor the demo's reads it.
    for keys in (LicenceKeys.built_in(), LicenceKeys.demo()):
        with pytest.raises(LicenceRefused, match="signature does not match"):
            keys.read(issued.stdout)
    demo = _script("issue", "--demo", "--organization-id", "c1", "--slug", "maya", "--plan", "PRO")
    assert demo.returncode == 0, demo.stderr
    assert LicenceKeys.demo().read(demo.stdout).plan is PlanType.PRO  # for --demo alone
    with pytest.raises(LicenceRefused, match="signature does not match"):
        LicenceKeys.built_in().read(demo.stdout)
    again = _script("keygen", "--private-key", str(private), "--public-key", str(public))
    assert again.returncode == 1 and "not overwritten" in again.stderr


def test_the_private_key_is_never_written_inside_the_repository(tmp_path: Path) -> None:
    inside = SCRIPT.parent / "snorq-licence.pem"
    refused = _script("keygen", "--private-key", str(inside), "--public-key", str(tmp_path / "p"))
    assert refused.returncode == 1 and "outside the repository" in refused.stderr
    assert not inside.exists()


def test_the_banner_starts_fourteen_days_before_the_end() -> None:
    key = Ed25519PrivateKey.generate()
    ends = datetime(2026, 12, 12, 12, tzinfo=UTC)
    text = issue_licence(
        key, organization_id="c1", organization_slug="maya", plan=PlanType.PRO, expires_at=ends
    )
    licence = parse_licence(text)

    def at(moment: datetime):
        return status_of(PlanType.PRO, "maya", 2, licence, stored=True, verified=True, now=moment)

    assert at(ends - timedelta(days=14, seconds=1)).banner is None
    assert at(ends - timedelta(days=14)).banner == (
        "Your Pro licence ends on 12 Dec 2026; after that the Free plan's rules apply "
        "(1 seat, 30 days of history). Enter a renewed licence in Team ▸ Plan… before then."
    )
    assert at(ends - timedelta(seconds=1)).plan is PlanType.PRO
    ended = at(ends)
    assert ended.plan is PlanType.FREE and ended.seats == 1
    assert ended.banner is not None and ended.banner.startswith(
        "Your Pro licence ended on 12 Dec 2026; the Free plan's rules apply"
    )
