"""What else the fake Meta's customers and business do, reported by webhook as
Meta reports it: reactions, edits, deletes, replies to one message, and
messages the business sends from its phone or Meta Business Suite (echoes)."""

import itertools
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any

from snorq_desktop.demo.fakes.media import StoredFile
from snorq_desktop.demo.fakes.meta_webhooks import (
    messenger_from_customer,
    messenger_page_echo,
    whatsapp_echo,
    whatsapp_from_customer,
)
from snorq_desktop.demo.fakes.server import FakeClock


@dataclass
class FakeMessage:
    id: str
    sender: str
    text: str
    at: float
    file: StoredFile | None = None


@dataclass
class FakeThread:
    id: str  # t_…
    person: str  # PSID or wa_id
    name: str
    messages: list[FakeMessage] = field(default_factory=list)


class PeopleActions:
    """Mixed into FakeMeta, which keeps the threads and delivers the webhooks."""

    clock: FakeClock
    _ids: "itertools.count[int]"

    @abstractmethod
    def _thread(self, account: str, person: str, name: str = "Customer") -> FakeThread: ...

    @abstractmethod
    def _webhook(self, body: dict[str, Any]) -> int: ...

    @abstractmethod
    def _customer_message(
        self,
        account: str,
        person: str,
        name: str,
        whatsapp: bool,
        text: str,
        file: Any,
        content: dict[str, Any],
    ) -> str: ...

    def _whatsapp_event(
        self, account: str, person: str, mark: str, content: dict[str, Any]
    ) -> None:
        """A customer's reaction, edit or revoke: a message of its own on WhatsApp,
        with a fresh id (``wamid.<mark>…``) naming the earlier message inside."""
        message = {"id": f"wamid.{mark}{next(self._ids)}", "timestamp": str(int(self.clock.now()))}
        name = self._thread(account, person).name
        self._webhook(whatsapp_from_customer(account, person, name, {**message, **content}))

    def customer_reacts(
        self, account: str, person: str, message_id: str, emoji: str | None, *, whatsapp: bool
    ) -> None:
        """A customer puts an emoji on a message (None: takes it off)."""
        at = self.clock.now()
        if whatsapp:
            reaction = {"message_id": message_id, "emoji": emoji or ""}
            self._whatsapp_event(account, person, "R", {"type": "reaction", "reaction": reaction})
            return
        action = {"mid": message_id, "action": "react" if emoji else "unreact"}
        if emoji:
            action.update(reaction="other", emoji=emoji)
        self._webhook(messenger_from_customer(account, person, int(at * 1000), reaction=action))

    def customer_edits(
        self, account: str, person: str, message_id: str, text: str, *, whatsapp: bool
    ) -> None:
        at = self.clock.now()
        for message in self._thread(account, person).messages:
            if message.id == message_id:
                message.text = text
        if whatsapp:
            edit = {
                "original_message_id": message_id,
                "message": {"type": "text", "text": {"body": text}},
            }
            self._whatsapp_event(account, person, "E", {"type": "edit", "edit": edit})
            return
        self._webhook(
            messenger_from_customer(
                account,
                person,
                int(at * 1000),
                message_edit={"mid": message_id, "text": text, "num_edit": 1},
            )
        )

    def customer_deletes(
        self, account: str, person: str, message_id: str, *, whatsapp: bool
    ) -> None:
        at = self.clock.now()
        thread = self._thread(account, person)
        thread.messages = [m for m in thread.messages if m.id != message_id]
        if whatsapp:
            revoke = {"original_message_id": message_id}
            self._whatsapp_event(account, person, "D", {"type": "revoke", "revoke": revoke})
            return
        self._webhook(
            messenger_from_customer(
                account, person, int(at * 1000), message={"mid": message_id, "is_deleted": True}
            )
        )

    def customer_replies(
        self, account: str, person: str, text: str, to_message: str, *, name: str, whatsapp: bool
    ) -> str:
        """A customer answers one particular message (WhatsApp context, Messenger reply_to)."""
        content: dict[str, Any] = (
            {"type": "text", "text": {"body": text}, "context": {"from": "000", "id": to_message}}
            if whatsapp
            else {"text": text, "reply_to": {"mid": to_message}}
        )
        return self._customer_message(account, person, name, whatsapp, text, None, content)

    def business_sends_elsewhere(
        self, account: str, person: str, text: str, *, whatsapp: bool
    ) -> str:
        """The business writes from its phone (WhatsApp Coexistence) or from Meta
        Business Suite: the platform echoes it by webhook."""
        at = self.clock.now()
        thread = self._thread(account, person)
        message_id = f"{'wamid' if whatsapp else 'm'}.PHONE{next(self._ids)}"
        thread.messages.append(FakeMessage(message_id, account, text, at))
        if whatsapp:
            echo = {
                "id": message_id,
                "timestamp": str(int(at)),
                "type": "text",
                "text": {"body": text},
            }
            self._webhook(whatsapp_echo(account, person, thread.name, echo))
        else:
            self._webhook(messenger_page_echo(account, person, int(at * 1000), message_id, text))
        return message_id
