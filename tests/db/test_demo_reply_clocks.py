"""The demo shows the reply-window clocks and send later (#17.4, #17.5): one
conversation in "Closing soon", one reply waiting for its time."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from snorq_desktop.demo.reply_clocks import CLOSING_ASK, SCHEDULED
from snorq_desktop.demo.shop import seed_demo
from snorq_desktop.domain.inbox import InboxQuery, InboxView
from snorq_desktop.store import inbox, reply_windows
from snorq_desktop.store.identity import default_identity
from snorq_desktop.store.unit_of_work import session_factory


def test_the_demo_has_a_window_closing_soon_and_a_scheduled_reply(engine):
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    assert seed_demo(sessions, now=now)
    with Session(engine) as session:
        identity = default_identity(session)
        assert identity is not None
        org = identity.organization_id
        soon = inbox.inbox_page(session, org, InboxQuery(InboxView.CLOSING_SOON))
        assert CLOSING_ASK in [row.last_message_preview for row in soon]
        assert reply_windows.closing_soon_count(session, org) == len(soon)
        rows = session.execute(
            text(
                "SELECT conversation_id, content, send_at FROM messages "
                "WHERE organization_id = :org AND send_at IS NOT NULL AND status = 'PENDING'"
            ),
            {"org": org},
        ).all()
        assert [(r[1], r[2] - now) for r in rows] == [(SCHEDULED, timedelta(hours=2))]
        clock = reply_windows.reply_clock(session, org, rows[0][0])
        assert clock is not None
        assert clock.refusal_at(rows[0][2]) is None, "its window is still open when it is due"
        # Every conversation knows when its customer last wrote.
        missing = session.execute(
            text(
                "SELECT count(*) FROM conversations c WHERE organization_id = :org "
                "AND last_inbound_at IS NULL AND EXISTS (SELECT 1 FROM messages m "
                "WHERE m.conversation_id = c.id AND m.direction = 'INBOUND')"
            ),
            {"org": org},
        ).scalar_one()
        assert missing == 0
