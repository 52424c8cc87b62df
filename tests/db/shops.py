"""A shop for the database tests: an organisation with WhatsApp conversations."""

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.domain.enums import PlanType, Platform
from snorq_desktop.domain.tokens import SecretToken
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.connections import PlatformAccount, connect_platform


def make_shop(session: Session, slug: str, conversations: int) -> tuple[str, list[str]]:
    """An organisation with ``conversations`` WhatsApp conversations, one minute apart
    (the first is the newest); returns (organisation, conversation ids newest first)."""
    owner = orgs.create_user(session, email=f"{slug}@example.com", name=slug.title())
    org = orgs.create_organization(session, owner_id=owner, name=slug, slug=slug, plan=PlanType.PRO)
    connection = connect_platform(
        session,
        TokenCipher(KeySet.fresh()),
        organization_id=org,
        account=PlatformAccount(Platform.WHATSAPP, f"{slug}-phone", SecretToken("t")),
    )
    now = datetime.now(UTC)
    ids = [f"{slug}-c{n:05d}" for n in range(conversations)]
    session.execute(
        text("""
            INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
                external_id, contact_external_id, contact_name, last_message_at)
            SELECT :prefix || lpad(n::text, 5, '0'), :org, :conn, 'WHATSAPP', 'e' || n,
                   'p' || n, 'Customer ' || n, CAST(:now AS timestamptz) - n * interval '1 minute'
            FROM generate_series(0, :count - 1) AS n
        """),
        {"prefix": f"{slug}-c", "org": org, "conn": connection, "now": now, "count": conversations},
    )
    return org, ids
