"""What a new customer message does beyond its row: read at once where it is
being looked at, or a desktop notification when the window is not in front.

A notice from another app names the conversation only (NOTIFY is outside
row-level security, domain/team_notice.py): its words are read here, as this
member, or nothing is shown."""

from collections.abc import Callable
from functools import partial
from typing import Protocol

from snorq_desktop.domain.inbox import Changes, ConversationSummary
from snorq_desktop.services.inbox import InboxService
from snorq_desktop.ui.inbox_model import InboxModel
from snorq_desktop.ui.tasks import TaskRunner


class Notifier(Protocol):
    def notify(self, conversation_id: str, title: str, preview: str) -> None: ...


def announce_arrivals(
    changes: Changes,
    *,
    open_id: str | None,
    in_front: bool,
    service: InboxService,
    runner: TaskRunner,
    inbox: InboxModel,
    tray: Notifier,
    apply_changes: Callable[[Changes], None],
) -> None:
    def notify_read(summaries: dict[str, ConversationSummary]) -> None:
        for conversation_id, summary in summaries.items():
            if summary.last_message_preview:
                tray.notify(conversation_id, summary.contact_name, summary.last_message_preview)

    for conversation_id, preview in changes.arrivals:
        if conversation_id == open_id and in_front:
            # Read where it is being looked at.
            runner.run(partial(service.open_conversation, conversation_id), apply_changes)
        elif not in_front and preview:
            summary = inbox.summary_at(inbox.row_of(conversation_id))
            tray.notify(
                conversation_id, summary.contact_name if summary else "New message", preview
            )
        elif not in_front:
            runner.run(partial(service.summaries, [conversation_id]), notify_read)
