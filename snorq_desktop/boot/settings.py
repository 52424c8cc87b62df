"""User settings: a JSON file in the config folder, overridden by the environment
and then by the command line."""

import json
import logging
import math
import os
from dataclasses import dataclass, field, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from snorq_desktop.domain.errors import KnownError

log = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}
# SNORQ's own Google OAuth client, written into a packaged build at build time
# (packaging/snorq_build/google_client.py); never in the source tree.
BUILT_IN_GOOGLE_CLIENT = "google-client.json"


def built_in_google_client(place: Traversable | None = None) -> tuple[str | None, str | None]:
    """(client id, client secret) of the Google client a packaged build carries, so a
    shop owner never registers a Google app; (None, None) without one.  (A "Desktop
    app" client's secret is no secret: Google says it ships inside the app.)"""
    place = place or files("snorq_desktop") / "resources" / BUILT_IN_GOOGLE_CLIENT
    try:
        raw = json.loads(place.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as error:
        log.warning("the built-in Google client cannot be read: %s", error)
        return None, None
    if not isinstance(raw, dict):
        return None, None
    client_id, secret = raw.get("client_id"), raw.get("client_secret")
    return (
        client_id if isinstance(client_id, str) and client_id else None,
        secret if isinstance(secret, str) and secret else None,
    )


class SettingsUnreadable(KnownError):
    """settings.json cannot be read, or holds a value of the wrong kind."""


_SEND_KEYS = ("ctrl+enter", "enter")
_TEXT_KEYS = ("database_url", "listen_url", "relay_url", "google_client_id", "google_client_secret")


def _checked(path: Path, raw: dict[str, object]) -> dict[str, object]:
    """Each known key's value, or a KnownError naming the key and what it must be.

    A wrong type is refused rather than guessed at: a number where the database
    URL belongs would otherwise surface as a crash far from the file."""

    def wrong(key: str, must: str) -> SettingsUnreadable:
        shown = json.dumps(raw[key])
        return SettingsUnreadable(
            f'The settings file {path} has "{key}": {shown[:60]}, but it must be {must}.'
        )

    for key in _TEXT_KEYS:
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise wrong(key, "text in quotes (or null)")
    if "allow_key_file" in raw and not isinstance(raw["allow_key_file"], bool):
        raise wrong("allow_key_file", "true or false")
    if raw.get("send_key") is not None and raw["send_key"] not in _SEND_KEYS:
        raise wrong("send_key", '"ctrl+enter" or "enter"')
    interval = raw.get("sync_interval_seconds")
    if interval is not None and (
        isinstance(interval, bool) or not isinstance(interval, int | float)
    ):
        raise wrong("sync_interval_seconds", "a number of seconds")
    return raw


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# A day at the most: the window's event loop waits in a Qt timer, whose
# milliseconds are a 32-bit number (24.8 days); 1e999 reads as infinity.
_LONGEST_INTERVAL = 86_400.0


def _interval(value: object) -> float:
    """Seconds between sync passes: 5 at the least (the platforms' rate limits),
    a day at the most, 15 unset."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isnan(value):
            return 15.0
        return min(_LONGEST_INTERVAL, max(5.0, float(value)))
    return 15.0


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: the built-in database
    # Where the app LISTENs for the team's changes, when the database URL goes
    # through a transaction pooler (LISTEN needs a session of its own); None:
    # the database URL.  Its login and database default to the database URL's.
    listen_url: str | None = None
    allow_key_file: bool = False  # keep the token key in a file when there is no keychain
    send_key: str = "ctrl+enter"  # or "enter" (then Shift+Enter makes a new line)
    sync_interval_seconds: float = 15.0  # how often the open app polls and sends
    relay_url: str | None = None  # the team's webhook relay, https://…, shown for Meta's dashboard
    # Google sign-in: this app's OAuth client (a "Desktop app" client in Google Cloud).
    google_client_id: str | None = None
    google_client_secret: str | None = field(default=None, repr=False)
    google_issuer: str = "https://accounts.google.com"

    @classmethod
    def load(cls, path: Path) -> "Settings":
        return cls.load_file(path).with_environment(os.environ).with_built_in_google_client()

    def with_built_in_google_client(self, place: Traversable | None = None) -> "Settings":
        """The build's own Google client when neither the file nor the environment
        names one (they win: a company may use its own)."""
        if self.google_client_id:
            return self
        client_id, secret = built_in_google_client(place)
        if client_id is None:
            return self
        return replace(self, google_client_id=client_id, google_client_secret=secret)

    @classmethod
    def load_file(cls, path: Path) -> "Settings":
        """What the file says, without the environment's overrides (to change and save it)."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raw = {}
        except (OSError, ValueError) as error:
            raise SettingsUnreadable(f"The settings file {path} cannot be read: {error}.") from None
        if not isinstance(raw, dict):
            raise SettingsUnreadable(f"The settings file {path} is not a JSON object.")
        raw = _checked(path, raw)
        settings = cls(
            database_url=_text(raw.get("database_url")),
            listen_url=_text(raw.get("listen_url")),
            allow_key_file=raw.get("allow_key_file") is True,
            send_key="enter" if raw.get("send_key") == "enter" else "ctrl+enter",
            sync_interval_seconds=_interval(raw.get("sync_interval_seconds")),
            relay_url=_text(raw.get("relay_url")),
            google_client_id=_text(raw.get("google_client_id")),
            google_client_secret=_text(raw.get("google_client_secret")),
        )
        return settings

    def with_environment(self, environ: "os._Environ[str] | dict[str, str]") -> "Settings":
        updated = self
        if url := environ.get("SNORQ_DATABASE_URL"):
            updated = replace(updated, database_url=url)
        if listen := environ.get("SNORQ_LISTEN_URL"):
            updated = replace(updated, listen_url=listen)
        if relay := environ.get("SNORQ_RELAY_URL"):
            updated = replace(updated, relay_url=relay)
        if flag := environ.get("SNORQ_ALLOW_KEY_FILE"):
            updated = replace(updated, allow_key_file=flag.strip().lower() in _TRUE)
        if client_id := environ.get("SNORQ_GOOGLE_CLIENT_ID"):
            updated = replace(updated, google_client_id=client_id)
        if client_secret := environ.get("SNORQ_GOOGLE_CLIENT_SECRET"):
            updated = replace(updated, google_client_secret=client_secret)
        if issuer := environ.get("SNORQ_GOOGLE_ISSUER"):
            updated = replace(updated, google_issuer=issuer)
        return updated

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps(
                {
                    "database_url": self.database_url,
                    "listen_url": self.listen_url,
                    "allow_key_file": self.allow_key_file,
                    "send_key": self.send_key,
                    "sync_interval_seconds": self.sync_interval_seconds,
                    "relay_url": self.relay_url,
                    "google_client_id": self.google_client_id,
                    "google_client_secret": self.google_client_secret,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        temporary.chmod(0o600)  # the database URL may hold a password
        temporary.replace(path)
