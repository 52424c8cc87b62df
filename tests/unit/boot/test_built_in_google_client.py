"""A packaged build carries SNORQ's Google client, so a shop owner never
registers a Google app; settings.json or the environment still win."""

import json

from snorq_desktop.boot.settings import Settings, built_in_google_client


def test_the_built_in_client_is_used_when_nothing_else_names_one(tmp_path, monkeypatch):
    place = tmp_path / "google-client.json"
    place.write_text(json.dumps({"client_id": "snorq.apps", "client_secret": "shipped"}))
    settings = Settings().with_built_in_google_client(place)
    assert (settings.google_client_id, settings.google_client_secret) == ("snorq.apps", "shipped")
    own = Settings(google_client_id="company.apps").with_built_in_google_client(place)
    assert own.google_client_id == "company.apps" and own.google_client_secret is None


def test_without_a_built_in_client_nothing_changes(tmp_path):
    assert built_in_google_client(tmp_path / "absent.json") == (None, None)
    (tmp_path / "odd.json").write_text("[1]")
    assert built_in_google_client(tmp_path / "odd.json") == (None, None)
    assert Settings().with_built_in_google_client(tmp_path / "absent.json") == Settings()
