"""The build's Google client: written from SNORQ_BUILD_GOOGLE_CLIENT_ID into the
bundle, where the app's settings read it."""

from snorq_build.google_client import google_client_datas

from snorq_desktop.boot.settings import BUILT_IN_GOOGLE_CLIENT, built_in_google_client


def test_the_build_writes_the_client_file_the_settings_read(tmp_path, capsys):
    environ = {
        "SNORQ_BUILD_GOOGLE_CLIENT_ID": "snorq.apps.googleusercontent.com",
        "SNORQ_BUILD_GOOGLE_CLIENT_SECRET": "shipped",
    }
    [(made, folder)] = google_client_datas(tmp_path, environ)
    assert folder == "snorq_desktop/resources"
    assert made.endswith(BUILT_IN_GOOGLE_CLIENT)
    assert built_in_google_client(tmp_path / "google-client.json") == (
        "snorq.apps.googleusercontent.com",
        "shipped",
    )
    assert made == str(tmp_path / "google-client.json")
    assert google_client_datas(tmp_path / "none", {}) == []
    assert "carries no Google client" in capsys.readouterr().out
