"""Every file the app writes is placed by this module, and nowhere else.

``--home DIR`` / ``SNORQ_HOME`` moves all of them under one folder (tests and
portable installs use it); otherwise each OS's usual places (platformdirs).
"""

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "snorq-desktop"


@dataclass(frozen=True)
class AppPaths:
    config: Path  # settings.json, the token key file when allowed
    data: Path  # the built-in database clusters
    logs: Path
    cache: Path  # avatars, media previews

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> "AppPaths":
        chosen = home if home is not None else os.environ.get("SNORQ_HOME") or None
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(
                config=root / "config",
                data=root / "data",
                logs=root / "logs",
                cache=root / "cache",
            )
        return cls(
            config=platformdirs.user_config_path(APP_NAME, appauthor=False),
            data=platformdirs.user_data_path(APP_NAME, appauthor=False),
            logs=platformdirs.user_log_path(APP_NAME, appauthor=False),
            cache=platformdirs.user_cache_path(APP_NAME, appauthor=False),
        )

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def key_file(self) -> Path:
        return self.config / "token-key.json"

    @property
    def database_pass_file(self) -> Path:
        """The team database's password, pgpass format, only when key files are allowed."""
        return self.config / "database-passwords.pgpass"

    @property
    def log_file(self) -> Path:
        return self.logs / f"{APP_NAME}.log"

    @property
    def database_cluster(self) -> Path:
        return self.data / "postgres"

    @property
    def demo_database_cluster(self) -> Path:
        return self.data / "demo-postgres"

    def create(self) -> None:
        for folder in (self.config, self.data, self.logs, self.cache):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
