"""One app's hold on a connection is shared by its poller and its sender, and
refused to every other app until the last of them lets go."""

import asyncio

from snorq_desktop.domain.enums import Platform
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work
from snorq_desktop.sync.connection_lock import ConnectionLocks
from tests.shop import every_platform, open_shop


def test_one_app_shares_its_hold_and_other_apps_wait(engine):
    with unit_of_work(session_factory(engine)) as session:
        shop = open_shop(session, TokenCipher(KeySet.fresh()), every_platform())
    one, two = shop.connections[Platform.WHATSAPP], shop.connections[Platform.TIKTOK]

    async def go() -> list[bool]:
        this_app, other_app = ConnectionLocks(engine), ConnectionLocks(engine)
        seen: list[bool] = []
        async with this_app.hold(one) as polling:
            seen.append(polling)
            async with this_app.hold(one) as sending:
                seen.append(sending)
                async with other_app.hold(one) as other:
                    seen.append(other)
            async with other_app.hold(one) as other_still:
                seen.append(other_still)  # the pass still holds it
            async with other_app.hold(two) as elsewhere:
                seen.append(elsewhere)
        async with other_app.hold(one) as after:
            seen.append(after)
        return seen

    assert asyncio.run(go()) == [True, True, False, False, True, True]
