"""SNORQ's Google OAuth client inside a packaged build, so a shop owner never
registers a Google app: a build-time configuration, never committed.

    SNORQ_BUILD_GOOGLE_CLIENT_ID=…apps.googleusercontent.com \\
    SNORQ_BUILD_GOOGLE_CLIENT_SECRET=… python packaging/build.py deb

writes ``snorq_desktop/resources/google-client.json`` into the bundle, which
boot/settings.py reads when neither settings.json nor the environment names a
client.  Without the variables the build carries none (and says so).
"""

import json
import os
from collections.abc import Mapping
from pathlib import Path

FILE_NAME = "google-client.json"  # boot/settings.py's BUILT_IN_GOOGLE_CLIENT
BUNDLE_FOLDER = "snorq_desktop/resources"


def google_client_datas(
    work: Path, environ: Mapping[str, str] = os.environ
) -> list[tuple[str, str]]:
    """The PyInstaller data entry for the client file, or none without a client id."""
    client_id = environ.get("SNORQ_BUILD_GOOGLE_CLIENT_ID", "").strip()
    if not client_id:
        print("build: no SNORQ_BUILD_GOOGLE_CLIENT_ID: this build carries no Google client")
        return []
    work.mkdir(parents=True, exist_ok=True)
    made = work / FILE_NAME
    client = {"client_id": client_id}
    if secret := environ.get("SNORQ_BUILD_GOOGLE_CLIENT_SECRET", "").strip():
        client["client_secret"] = secret
    made.write_text(json.dumps(client), encoding="utf-8")
    print(f"build: the Google client {client_id} is built in")
    return [(str(made), BUNDLE_FOLDER)]
