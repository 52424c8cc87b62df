"""In --demo, Team ▸ Connections… reconnects through the browser against the
demo's own fake platforms: the demo shop's apps are registered there."""

import httpx

from snorq_desktop.auth.platform_login import LoginEndpoints, PlatformLogin
from snorq_desktop.boot.demo_database import open_demo
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.demo.shop import DEMO_ACCOUNTS
from snorq_desktop.domain.enums import Platform
from snorq_desktop.services.connections import ConnectionsService
from snorq_desktop.store.identity import default_identity
from tests.e2e.connect_world import Browser


def test_the_demo_reconnects_messenger_and_tiktok_through_the_browser(tmp_path):
    tmp_path.chmod(0o755)  # the built-in server may run as another user (root here)
    paths = AppPaths.resolve(tmp_path)
    paths.create()
    with open_demo(paths) as demo, httpx.Client(timeout=10) as http:
        world = demo.world
        endpoints = LoginEndpoints(
            facebook_dialog=f"{world.meta.url}/v21.0/dialog/oauth",
            graph=world.graph_url,
            tiktok_authorize=f"{world.tiktok.url}/v2/auth/authorize/",
            tiktok_api=world.tiktok_url,
        )
        browser = Browser()
        with demo.database.sessions() as session:
            identity = default_identity(session)
        assert identity is not None
        service = ConnectionsService(
            demo.database.sessions,
            lambda: demo.sealer,
            identity.organization_id,
            PlatformLogin(http, endpoints, opener=browser),
            http,
        )
        before = {c.platform: c.id for c in service.connections()}
        pages = service.facebook_pages()
        assert [p.id for p in pages] == [DEMO_ACCOUNTS[Platform.FACEBOOK][0]]
        # The same page again: its token is replaced, the connection (and history) kept.
        assert service.connect_page(pages[0]) == before[Platform.FACEBOOK]
        assert service.connect_tiktok() == before[Platform.TIKTOK]
        assert len(browser.opened) == 2
