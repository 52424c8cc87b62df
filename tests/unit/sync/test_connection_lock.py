"""One app's hold on a connection is shared by its poller and its sender, and
refused to every other app until the last of them lets go."""

import asyncio

from snorq_desktop.sync.connection_lock import ConnectionLocks


def test_one_app_shares_its_hold_and_other_apps_wait(engine):
    async def go() -> list[bool]:
        this_app, other_app = ConnectionLocks(engine), ConnectionLocks(engine)
        seen: list[bool] = []
        async with this_app.hold("conn-1") as polling:
            seen.append(polling)
            async with this_app.hold("conn-1") as sending:
                seen.append(sending)
                async with other_app.hold("conn-1") as other:
                    seen.append(other)
            async with other_app.hold("conn-1") as other_still:
                seen.append(other_still)  # the pass still holds it
            async with other_app.hold("conn-2") as elsewhere:
                seen.append(elsewhere)
        async with other_app.hold("conn-1") as after:
            seen.append(after)
        return seen

    assert asyncio.run(go()) == [True, True, False, False, True, True]
