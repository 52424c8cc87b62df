"""The demo's own database: a built-in PostgreSQL apart from the user's data,
filled with a sample shop on first use, with the fake platforms and a relay
running beside it while the demo window is open."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from snorq_desktop.boot.app import Database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.domain.tokens import TokenSealer
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import FileKeyStore, load_or_create
from snorq_desktop.store.database import connect_checked
from snorq_desktop.store.embedded import EmbeddedServer
from snorq_desktop.store.migrate import upgrade_schema
from snorq_desktop.store.unit_of_work import session_factory

if TYPE_CHECKING:
    from snorq_desktop.demo.world import DemoWorld


@dataclass
class Demo:
    """The demo's database, its token key and its fake platforms."""

    database: Database
    sealer: TokenSealer
    world: "DemoWorld"


@contextmanager
def open_demo(paths: AppPaths) -> Iterator[Demo]:
    """The demo's own built-in database (never the user's data), filled on first use,
    with the fake platforms and a relay running beside it."""
    # Imported here: the fake platforms and the relay's web server cost ~15 MB
    # of memory that a shop's own window never needs.
    from snorq_desktop.demo.shop import seed_demo
    from snorq_desktop.demo.world import start_demo_world

    # The demo's tokens open only the fake platforms: its key may live in a file.
    sealer = TokenCipher(load_or_create(FileKeyStore(paths.data / "demo-token-key.json")))
    server = EmbeddedServer(paths.demo_database_cluster)
    url = server.start()
    try:
        engine = connect_checked(url)
        try:
            upgrade_schema(engine)
            sessions = session_factory(engine)
            seed_demo(sessions, sealer=sealer)
            world = start_demo_world(sessions)
            try:
                yield Demo(
                    Database(engine, sessions, "the demo database", embedded=True), sealer, world
                )
            finally:
                world.stop()
        finally:
            engine.dispose()
    finally:
        server.release()
