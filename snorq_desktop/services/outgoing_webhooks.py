"""Outgoing webhooks (Business plan): add a URL (its signing secret is shown
once and kept sealed with the token key), list, remove; as the signed-in
person (the database checks the role and the plan)."""

import secrets
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.identity import Identity
from snorq_desktop.domain.ids import new_id
from snorq_desktop.domain.tokens import SecretToken, TokenSealer, sealed_place
from snorq_desktop.store import outgoing_webhooks as store
from snorq_desktop.store.unit_of_work import unit_of_work

SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)


class WebhookService:
    def __init__(self, sessions: sessionmaker[Session], sealer: Callable[[], TokenSealer]) -> None:
        self._sessions = sessions
        self._sealer = sealer

    def add(self, identity: Identity, url: str) -> tuple[str, str]:
        """(the webhook's id, its signing secret: shown once)."""
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        webhook_id = new_id()
        place = sealed_place("outgoing_webhooks", webhook_id, "secret")
        sealed = self._sealer().seal(SecretToken(secret), place)
        with unit_of_work(self._sessions) as session:
            store.add_webhook(
                session,
                webhook_id=webhook_id,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                url=url,
                sealed_secret=sealed,
            )
        return webhook_id, secret

    def all(self, identity: Identity) -> list[tuple[str, str]]:
        with self._sessions() as session:
            return store.webhooks_of(session, identity.organization_id)

    def remove(self, identity: Identity, webhook: str) -> None:
        with unit_of_work(self._sessions) as session:
            store.remove_webhook(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                webhook=webhook,
            )
