"""A settings.json value of the wrong type is refused in one sentence that names
the key and what it must be, not guessed at or left to crash later."""

import json
import subprocess
import sys

import pytest

from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.errors import KnownError


@pytest.mark.parametrize(
    ("key", "value", "must"),
    [
        ("send_key", "banana", 'must be "ctrl+enter" or "enter"'),
        ("database_url", 5, "must be text in quotes (or null)"),
        ("relay_url", ["https://relay"], "must be text in quotes (or null)"),
        ("google_client_id", True, "must be text in quotes (or null)"),
        ("allow_key_file", "yes", "must be true or false"),
        ("sync_interval_seconds", "often", "must be a number of seconds"),
        ("sync_interval_seconds", False, "must be a number of seconds"),
    ],
)
def test_a_value_of_the_wrong_type_names_its_key(tmp_path, key, value, must):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({key: value}))
    with pytest.raises(KnownError) as refused:
        Settings.load(path)
    sentence = refused.value.sentence
    assert f'"{key}": {json.dumps(value)}' in sentence
    assert must in sentence and str(path) in sentence
    assert sentence.count(". ") == 0 and sentence.endswith(".")


def test_values_of_the_right_types_still_load(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "database_url": "postgresql://shop@db/snorq",
                "allow_key_file": True,
                "send_key": "enter",
                "sync_interval_seconds": 30,
                "relay_url": None,
            }
        )
    )
    settings = Settings.load(path)
    assert (settings.database_url, settings.allow_key_file, settings.send_key) == (
        "postgresql://shop@db/snorq",
        True,
        "enter",
    )
    assert settings.sync_interval_seconds == 30 and settings.relay_url is None


@pytest.mark.parametrize(("key", "value"), [("send_key", "banana"), ("database_url", 5)])
def test_the_command_line_says_which_setting_is_wrong(tmp_path, key, value):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({key: value}))
    result = subprocess.run(
        [sys.executable, "-m", "snorq_desktop", "--home", str(tmp_path), "db", "status"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert f'"{key}": {json.dumps(value)}' in result.stderr
    assert "unexpected error" not in result.stderr
