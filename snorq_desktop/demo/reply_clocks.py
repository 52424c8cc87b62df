"""The demo's reply-window clocks and send later (#17.5, #17.4): every
conversation knows when its customer last wrote, one WhatsApp conversation's
window closes within the hour (it shows in "Closing soon"), and one reply
waits for its time in the outbox."""

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.domain.ids import new_id

CLOSING_ASK = "Could you keep the blue scarf for me until tomorrow?"
SCHEDULED = "Good morning! Your parcel leaves today; the tracking link follows."


def seed_reply_clocks(session: Session, org: str, sender: str, now: datetime) -> None:
    # The demo writes its history directly: the column ingest keeps, filled here.
    session.execute(
        text("""
            UPDATE conversations c SET last_inbound_at = m.newest
            FROM (SELECT conversation_id, max(COALESCE(platform_timestamp, created_at)) AS newest
                  FROM messages WHERE organization_id = :org AND direction = 'INBOUND'
                  GROUP BY conversation_id) m
            WHERE c.organization_id = :org AND c.id = m.conversation_id
        """),
        {"org": org},
    )
    asked = now - timedelta(hours=23, minutes=25)  # 35 minutes of WhatsApp's window left
    closing = session.execute(
        text("""
            SELECT id FROM conversations
            WHERE organization_id = :org AND platform = 'WHATSAPP' AND last_message_at < :asked
            ORDER BY last_message_at DESC, id LIMIT 1
        """),
        {"org": org, "asked": asked},
    ).scalar_one_or_none()
    if closing is not None:
        session.execute(
            text("""
                INSERT INTO messages (id, organization_id, conversation_id, external_id,
                    direction, content, status, platform_timestamp, created_at)
                VALUES (:id, :org, :conversation, :external, 'INBOUND', :content,
                        'DELIVERED', :at, :at)
            """),
            {
                "id": new_id(),
                "org": org,
                "conversation": closing,
                "external": f"demo-closing-{closing}",
                "content": CLOSING_ASK,
                "at": asked,
            },
        )
        session.execute(
            text("""
                UPDATE conversations SET last_inbound_at = :at, last_message_at = :at,
                    last_message_preview = :content, unread_count = unread_count + 1
                WHERE organization_id = :org AND id = :conversation
            """),
            {"org": org, "conversation": closing, "at": asked, "content": CLOSING_ASK},
        )
    # A reply for two hours on, where the window is still open then.
    waiting = session.execute(
        text("""
            SELECT id FROM conversations
            WHERE organization_id = :org AND last_inbound_at > :open_then
              AND id IS DISTINCT FROM :closing
            ORDER BY last_inbound_at DESC, id LIMIT 1
        """),
        {"org": org, "open_then": now - timedelta(hours=20), "closing": closing},
    ).scalar_one_or_none()
    if waiting is not None:
        session.execute(
            text("""
                INSERT INTO messages (id, organization_id, conversation_id, direction, content,
                    status, sent_by_user_id, created_at, send_at)
                VALUES (:id, :org, :conversation, 'OUTBOUND', :content, 'PENDING', :sender,
                        :now, :due)
            """),
            {
                "id": new_id(),
                "org": org,
                "conversation": waiting,
                "content": SCHEDULED,
                "sender": sender,
                "now": now,
                "due": now + timedelta(hours=2),
            },
        )
