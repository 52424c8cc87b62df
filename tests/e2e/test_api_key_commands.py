"""`snorq-desktop api-key create|list|revoke` (#18.1), real processes on a real
team database as the owner's own login: refused with the plan named on Free,
printed once on Business, listed by prefix, revoked by name, and the key then
opens nothing in the API."""

import httpx

from snorq_desktop.domain.api_keys import key_hash
from tests.api_world import api_client, api_login, bearer
from tests.e2e.test_team_commands import App, _admin, google

__all__ = ["google"]


def test_api_key_commands(google, database_url, engine, tmp_path):
    administrator = database_url.render_as_string(hide_password=False)
    maya = App(tmp_path / "maya", google)
    assert maya.run("--database-url", administrator, "login", "--timeout", "60").returncode == 0
    created = maya.run("--database-url", administrator, "team", "create", "--name", "Maya's Shop")
    assert created.returncode == 0, created.stderr

    on_free = maya.run("api-key", "create", "--name", "web shop")
    assert on_free.returncode == 1
    assert "API access comes with the Business plan" in on_free.stderr
    assert "on the Free plan" in on_free.stderr and "Traceback" not in on_free.stderr
    with _admin(database_url) as admin:
        admin.execute("UPDATE organizations SET plan = 'BUSINESS'")

    made = maya.run("api-key", "create", "--name", "web shop", "--role", "ADMIN")
    assert made.returncode == 0, made.stderr
    key, said = made.stdout.splitlines()
    assert key.startswith("snorq_live_") and "only time" in said and "as ADMIN" in said
    with _admin(database_url) as admin:
        stored = admin.execute("SELECT key_hash FROM api_keys").fetchall()
    assert stored == [(key_hash(key),)]

    listed = maya.run("api-key", "list", "--home", str(maya.home))  # options after it too
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    fields = line.split("\t")
    assert fields[1:5] == ["web shop", key[:17] + "…", "ADMIN", "in use"]
    assert key not in listed.stdout

    with api_login(engine, database_url) as sessions, api_client(sessions) as http:
        assert http.get("/conversations", headers=bearer(key)).status_code == 200
        revoked = maya.run("api-key", "revoke", "web shop")
        assert revoked.returncode == 0, revoked.stderr
        assert "Revoked the API key “web shop”" in revoked.stdout
        refused: httpx.Response = http.get("/conversations", headers=bearer(key))
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    again = maya.run("api-key", "revoke", "web shop")
    assert again.returncode == 1 and "no API key “web shop” in use" in again.stderr

    hooked = maya.run("webhook", "add", "https://shop.example/snorq-events")
    assert hooked.returncode == 0, hooked.stderr
    assert hooked.stdout.startswith("whsec_") and "shown once" in hooked.stdout
    listed_hooks = maya.run("webhook", "list")
    assert listed_hooks.stdout.split("\t")[1].strip() == "https://shop.example/snorq-events"
    not_a_url = maya.run("webhook", "add", "shop.example")
    assert not_a_url.returncode == 1 and "is not a web address" in not_a_url.stderr
    assert maya.run("webhook", "remove", "https://shop.example/snorq-events").returncode == 0
    assert maya.run("webhook", "list").stdout == ""
