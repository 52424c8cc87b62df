"""One platform account belongs to one organisation in the whole database
(#13.6), so a webhook for it routes to exactly one shop."""

import pytest

from snorq_desktop.domain.enums import Platform
from snorq_desktop.domain.errors import PlatformAlreadyConnected
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.connections import PlatformAccount, connect_platform
from snorq_desktop.store.unit_of_work import session_factory, unit_of_work


def test_a_second_shop_cannot_connect_an_account_another_shop_has(engine):
    sessions = session_factory(engine)
    cipher = TokenCipher(KeySet.fresh())
    account = PlatformAccount(Platform.WHATSAPP, "106540352242922", SecretToken("t"))
    with unit_of_work(sessions) as session:
        first = orgs.create_organization(
            session, owner_id=orgs.create_user(session, email="a@x.test"), name="A", slug="a"
        )
        second = orgs.create_organization(
            session, owner_id=orgs.create_user(session, email="b@x.test"), name="B", slug="b"
        )
        connect_platform(session, cipher, organization_id=first, account=account)
    with (
        pytest.raises(PlatformAlreadyConnected, match="already connected by another organisation"),
        unit_of_work(sessions) as session,
    ):
        connect_platform(session, cipher, organization_id=second, account=account)
    with unit_of_work(sessions) as session:  # reconnecting it where it is still works
        connect_platform(session, cipher, organization_id=first, account=account)
