"""Team ▸ API keys… and ``snorq-desktop api-key``: make, list and revoke the
organisation's keys for the REST API, as the signed-in person (the database
checks their role and the plan)."""

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.domain.api_keys import ApiKeyInfo, NewApiKey, new_key
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.identity import Identity
from snorq_desktop.store import api_keys
from snorq_desktop.store.unit_of_work import unit_of_work


class ApiKeyService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, identity: Identity, name: str, role: MemberRole) -> NewApiKey:
        key = new_key()
        with unit_of_work(self._sessions) as session:
            key_id = api_keys.create_key(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                name=name,
                role=role,
                key=key,
            )
            made = next(
                k for k in api_keys.list_keys(session, identity.organization_id) if k.id == key_id
            )
        return NewApiKey(made, key)

    def all(self, identity: Identity) -> list[ApiKeyInfo]:
        with self._sessions() as session:
            return api_keys.list_keys(session, identity.organization_id)

    def revoke(self, identity: Identity, key: str) -> str:
        """Revoke by id or name; returns the key's name."""
        with unit_of_work(self._sessions) as session:
            return api_keys.revoke_key(
                session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                key=key.strip(),
            )
