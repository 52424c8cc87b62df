"""Hand-made message histories for the analytics, retention and backup tests:
rows written with plain SQL at the times a test names, committed."""

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from snorq_desktop.domain.enums import PlanType, Platform

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}{next(_ids):024d}"


@dataclass
class History:
    engine: Engine
    organization_id: str = ""
    owner_id: str = ""
    connections: dict[Platform, str] = field(default_factory=dict)

    def sql(self, statement: str, **params: object) -> list[tuple[Any, ...]]:
        with self.engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []

    def scalar(self, statement: str, **params: object):
        return self.sql(statement, **params)[0][0]

    @classmethod
    def shop(cls, engine: Engine, plan: PlanType = PlanType.PRO, slug: str = "shop") -> "History":
        history = cls(engine)
        history.owner_id = _id("u")
        history.organization_id = _id("o")
        history.sql(
            "INSERT INTO users (id, email) VALUES (:id, :email)",
            id=history.owner_id,
            email=f"{slug}@example.com",
        )
        history.sql(
            "INSERT INTO organizations (id, name, slug, owner_id, plan) "
            'VALUES (:id, :name, :slug, :owner, CAST(:plan AS "PlanType"))',
            id=history.organization_id,
            name=slug.title(),
            slug=slug,
            owner=history.owner_id,
            plan=plan.value,
        )
        history.sql(
            "INSERT INTO organization_members (id, organization_id, user_id, role) "
            "VALUES (:id, :org, :user, 'OWNER')",
            id=_id("m"),
            org=history.organization_id,
            user=history.owner_id,
        )
        for platform in Platform:
            connection = _id("p")
            history.sql(
                "INSERT INTO platform_connections (id, organization_id, platform, "
                "platform_user_id, access_token) "
                "VALUES (:id, :org, CAST(:platform AS \"Platform\"), :user, 'k1:sealed')",
                id=connection,
                org=history.organization_id,
                platform=platform.value,
                user=f"{slug}-{platform.value}",
            )
            history.connections[platform] = connection
        return history

    def conversation(
        self, at: datetime | None = None, platform: Platform = Platform.WHATSAPP
    ) -> str:
        conversation = _id("c")
        self.sql(
            "INSERT INTO conversations (id, organization_id, platform_connection_id, platform, "
            "external_id, contact_external_id, contact_name, created_at) "
            "VALUES (:id, :org, :conn, CAST(:platform AS \"Platform\"), :id, :id, 'Ana', "
            "COALESCE(:at, now()))",
            id=conversation,
            org=self.organization_id,
            conn=self.connections[platform],
            platform=platform.value,
            at=at,
        )
        return conversation

    def message(
        self,
        conversation: str,
        direction: str,
        at: datetime,
        *,
        status: str | None = None,
        content: str = "hello",
    ) -> str:
        """Said at ``at`` (platform time), stored now."""
        message = _id("g")
        self.sql(
            "INSERT INTO messages (id, organization_id, conversation_id, direction, content, "
            "status, platform_timestamp, external_id) VALUES (:id, :org, :conv, "
            'CAST(:direction AS "MessageDirection"), :content, CAST(:status AS "MessageStatus"),'
            " :at, :id)",
            id=message,
            org=self.organization_id,
            conv=conversation,
            direction=direction,
            content=content,
            status=status or ("DELIVERED" if direction == "INBOUND" else "SENT"),
            at=at,
        )
        return message

    def old_message(self, conversation: str, direction: str, age: str) -> str:
        """Stored ``age`` ago by the server's clock (e.g. '30 days 1 minute'), no
        platform time: the retention tests use the server's own now()."""
        message = _id("g")
        self.sql(
            "INSERT INTO messages (id, organization_id, conversation_id, direction, content, "
            "created_at, updated_at) VALUES (:id, :org, :conv, "
            "CAST(:direction AS \"MessageDirection\"), 'old words', "
            "now() - CAST(:age AS interval), now() - CAST(:age AS interval))",
            id=message,
            org=self.organization_id,
            conv=conversation,
            direction=direction,
            age=age,
        )
        return message
