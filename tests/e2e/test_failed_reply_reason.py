"""A failed reply says why on its bubble (issue 12.4): the reason the platform gave
with its "failed" status reaches the message, and the bubble shows it."""

from datetime import UTC, datetime

from snorq_desktop.domain.enums import MessageStatus, Platform
from snorq_desktop.domain.inbox import ThreadMessage
from snorq_desktop.domain.platform_events import DeliveryUpdate
from snorq_desktop.store.ingest import NO_REASON_GIVEN, apply_delivery_updates
from snorq_desktop.store.unit_of_work import unit_of_work
from snorq_desktop.ui.message_delegate import failure_text
from snorq_desktop.ui.thread_model import MessageRole
from tests.e2e.conftest import idle


def _reply(shop, conversation: str, number: int) -> None:
    shop.sql(
        "INSERT INTO messages (id, organization_id, conversation_id, direction, content,"
        " external_id, platform_timestamp, status) SELECT :id, organization_id, id,"
        " 'OUTBOUND', 'Your parcel left today', :external, now(), 'SENT'"
        " FROM conversations WHERE id = :c",
        id=f"reply-{number}",
        external=f"wamid.reply-{number}",
        c=conversation,
    )


def _messages(window) -> dict[str, ThreadMessage]:
    model = window.thread_pane.model
    found = (model.index(r).data(MessageRole) for r in range(model.rowCount()))
    return {m.id: m for m in found if m is not None}


def test_the_bubble_of_a_reply_the_platform_refused_says_why(shop, make_window, qtbot):
    shop.add_conversations(1)
    [(conversation,)] = shop.sql("SELECT id FROM conversations")
    _reply(shop, conversation, 1)
    _reply(shop, conversation, 2)
    running = make_window()
    window = running.window
    window.inbox_view.setCurrentIndex(window.inbox.index(0))
    idle(qtbot, running)
    now = datetime.now(UTC)
    with unit_of_work(shop.sessions) as session:
        changes = apply_delivery_updates(
            session,
            organization_id=shop.organization_id,
            connection_id=shop.connections[Platform.WHATSAPP],
            updates=[
                DeliveryUpdate(
                    Platform.WHATSAPP,
                    "acct",
                    "wamid.reply-1",
                    MessageStatus.FAILED,
                    now,
                    error="Message failed to send because more than 24 hours have passed",
                ),
                DeliveryUpdate(
                    Platform.WHATSAPP, "acct", "wamid.reply-2", MessageStatus.FAILED, now
                ),
            ],
        )
    window.apply_changes(changes)
    idle(qtbot, running)
    messages = _messages(window)
    assert {m.status for m in (messages["reply-1"], messages["reply-2"])} == {MessageStatus.FAILED}
    assert failure_text(messages["reply-1"]) == (
        "Message failed to send because more than 24 hours have passed"
    )
    assert failure_text(messages["reply-2"]) == NO_REASON_GIVEN
