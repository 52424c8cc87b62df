import logging
import stat
from logging.handlers import RotatingFileHandler

import pytest

from snorq_desktop.boot.logs import configure_logging, redact
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings


def test_home_relocates_every_folder(tmp_path):
    paths = AppPaths.resolve(tmp_path / "portable")
    folders = (paths.config, paths.data, paths.logs, paths.cache)
    assert all(folder.is_relative_to(tmp_path / "portable") for folder in folders)
    assert paths.database_cluster.is_relative_to(paths.data)
    assert paths.log_file.is_relative_to(paths.logs)


def test_snorq_home_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SNORQ_HOME", str(tmp_path / "env-home"))
    assert AppPaths.resolve().config == tmp_path / "env-home" / "config"


def test_without_home_the_os_places_are_used(tmp_path, monkeypatch):
    monkeypatch.delenv("SNORQ_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    paths = AppPaths.resolve()
    assert paths.config == tmp_path / "xdg-config" / "snorq-desktop"
    assert paths.data == tmp_path / "xdg-data" / "snorq-desktop"


def test_settings_round_trip_privately_and_the_environment_wins(tmp_path, monkeypatch):
    path = tmp_path / "settings.json"
    Settings(database_url="postgresql://u:pw@db/shop", allow_key_file=True).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings.load(path).database_url == "postgresql://u:pw@db/shop"
    monkeypatch.setenv("SNORQ_DATABASE_URL", "postgresql://other/db")
    monkeypatch.setenv("SNORQ_ALLOW_KEY_FILE", "0")
    loaded = Settings.load(path)
    assert (loaded.database_url, loaded.allow_key_file) == ("postgresql://other/db", False)


def test_the_log_file_rotates_and_secrets_are_blanked(tmp_path):
    log_file = tmp_path / "logs" / "snorq-desktop.log"
    configure_logging(log_file)
    logger = logging.getLogger("snorq_desktop.test")
    sealed = "k1:" + "a" * 32 + ":" + "b" * 32 + ":" + "c" * 20
    bound = "b1:" + "d" * 16 + ":" + sealed.replace("c", "e")
    logger.warning(
        "connect postgresql://shop:hunter2@db/x with Bearer EAAGsecret and %s, %s", sealed, bound
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text()
    assert "hunter2" not in text
    assert "EAAGsecret" not in text
    assert sealed not in text
    assert "d" * 16 not in text and "e" * 20 not in text
    assert "postgresql://shop:***@db/x" in text
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_snorq", False))
    assert isinstance(handler, RotatingFileHandler)
    assert handler.maxBytes > 0
    assert handler.backupCount >= 3
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_redact_leaves_ordinary_text_alone():
    assert redact("3 conversations synced from WhatsApp") == "3 conversations synced from WhatsApp"


def test_the_send_key_is_a_setting(tmp_path):
    path = tmp_path / "settings.json"
    assert Settings.load(path).send_key == "ctrl+enter"
    Settings(send_key="enter").save(path)
    assert Settings.load(path).send_key == "enter"
    path.write_text('{"send_key": null}')
    assert Settings.load(path).send_key == "ctrl+enter"


def test_the_sync_interval_is_a_setting_with_a_floor(tmp_path):
    path = tmp_path / "settings.json"
    assert Settings.load(path).sync_interval_seconds == 15
    path.write_text('{"sync_interval_seconds": 60}')
    assert Settings.load(path).sync_interval_seconds == 60
    path.write_text('{"sync_interval_seconds": 1}')
    assert Settings.load(path).sync_interval_seconds == 5
    path.write_text('{"sync_interval_seconds": null}')
    assert Settings.load(path).sync_interval_seconds == 15


@pytest.mark.parametrize("written", ["10000000", "1e999", "-1e999", "NaN"])
def test_a_sync_interval_too_long_for_a_timer_is_a_day(tmp_path, written):
    """Past 24.8 days the window's qasync timer overflowed (OverflowError) and
    syncing stopped; 1e999 is infinity to JSON."""
    path = tmp_path / "settings.json"
    path.write_text('{"sync_interval_seconds": ' + written + "}")
    interval = Settings.load(path).sync_interval_seconds
    assert 5 <= interval <= 86_400
    assert int(interval * 1000) < 2**31
