"""The README tells a shop owner exactly what to register, and the app uses
exactly that; it and docs/ speak the user's words and their links lead somewhere."""

import re
from pathlib import Path

import pytest

from snorq_desktop.auth.platform_login import FACEBOOK_REDIRECT_URI, TIKTOK_REDIRECT_URI
from snorq_desktop.platforms.meta_login import MESSENGER_SCOPES
from snorq_desktop.platforms.tiktok_login import TIKTOK_SCOPES
from snorq_desktop.relay.app import build_relay

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DOCS = sorted((ROOT / "docs").glob("*.md"))


def test_the_redirect_uris_to_register_are_the_ones_the_app_uses():
    assert f"`{FACEBOOK_REDIRECT_URI}`" in README
    assert f"`{TIKTOK_REDIRECT_URI}`" in README


def test_the_permissions_to_ask_for_are_the_ones_the_app_asks_for():
    for scope in (*MESSENGER_SCOPES, *TIKTOK_SCOPES):
        assert f"`{scope}`" in README, scope


def test_the_webhook_callback_urls_are_the_relays_routes():
    relay = build_relay(None, None)  # type: ignore[arg-type]  # only its routes are read
    paths = {getattr(route, "path", None) for route in relay.routes}
    for path in re.findall(r"https://YOUR-RELAY(/webhooks/\w+)", README):
        assert path in paths
    assert {"/webhooks/meta", "/webhooks/tiktok"} <= set(
        re.findall(r"https://YOUR-RELAY(/webhooks/\w+)", README)
    )


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_no_internal_words_and_no_dead_links(page):
    text = page.read_text()
    for word in ("the seed", "seed's", "phase 2"):
        assert word not in text.lower(), word
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if not target.startswith("http"):
            assert (page.parent / target).exists(), f"{page.name} links to {target}"


def test_the_readme_points_nowhere_but_forward():
    assert not re.search(r"\b(above|below)\b", README)


def test_the_developers_build_line_names_its_python():
    setup = README.index("SNORQ_SETUP_DEV=1 bash scripts/setup.sh")
    build = README.index(".venv/bin/python packaging/build.py deb")
    assert setup < build
    assert "python packaging/build.py" not in README.replace(".venv/bin/python packaging", "")
