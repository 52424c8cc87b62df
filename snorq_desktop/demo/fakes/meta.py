"""A fake Graph API host: WhatsApp Cloud API and Messenger, with signed webhooks."""

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime
from typing import Any

from snorq_desktop.demo.fakes.media import FileStore, StoredFile, file_reply, multipart
from snorq_desktop.demo.fakes.meta_people import FakeMessage, FakeThread, PeopleActions
from snorq_desktop.demo.fakes.meta_sends import (
    ReactionSent,
    messenger_reaction,
    messenger_reply_to,
    refused,
    whatsapp_context,
    whatsapp_reaction,
)
from snorq_desktop.demo.fakes.meta_setup import BusinessSetup
from snorq_desktop.demo.fakes.meta_webhooks import (
    messenger_from_customer,
    messenger_receipt,
    whatsapp_from_customer,
    whatsapp_status,
)
from snorq_desktop.demo.fakes.server import FakePlatform, Fault, Reply, Request, later

READ_CAP = 20  # Messenger shows only the 20 most recent messages of a conversation


class FakeMeta(BusinessSetup, PeopleActions, FakePlatform):
    def __init__(self, *, app_secret: str = "meta-app-secret") -> None:
        super().__init__()
        self.app_secret = app_secret
        self.tokens: dict[str, str] = {}  # account id (phone number id / page id) -> token
        self.threads: dict[tuple[str, str], FakeThread] = {}  # (account, person) -> thread
        self.sent: list[dict[str, Any]] = []
        self.status_script = ["sent", "delivered", "read"]  # "failed" sends errors[]
        self.sender_actions: list[tuple[str, str]] = []  # (person, mark_seen / typing_on…)
        self.reactions: list[ReactionSent] = []  # the business's, WhatsApp and Messenger
        self.duplicate_statuses = False
        self.reverse_statuses = False
        self.usage_percent = 0  # reported in X-App-Usage on every answer
        self._ids = itertools.count(1)
        self.files = FileStore("media-")
        # WhatsApp Business Account id -> approved templates: {name, language, category, body}
        self.templates: dict[str, list[dict[str, str]]] = {}
        # Facebook Login: the business's app, the pages the person manages,
        # and what the person does in the dialog.
        self.apps: dict[str, str] = {}  # app id -> app secret
        self.login_pages: list[tuple[str, str]] = []  # (page id, name) offered after login
        self.deny_login = False  # the person presses "Cancel" in the dialog
        self.phone_numbers: dict[str, tuple[str, str]] = {}  # id -> (display number, name)
        self._codes: dict[str, tuple[str, str]] = {}  # code -> (app id, redirect uri)
        self._user_tokens: dict[str, bool] = {}  # user token -> long-lived?

    # --- test controls -------------------------------------------------------------

    def add_account(self, account: str, token: str) -> None:
        self.tokens[account] = token

    def add_app(self, app_id: str, app_secret: str) -> None:
        self.apps[app_id] = app_secret

    def add_phone_number(self, phone_number_id: str, token: str, number: str, name: str) -> None:
        self.add_account(phone_number_id, token)
        self.phone_numbers[phone_number_id] = (number, name)

    def customer_writes(
        self, account: str, person: str, text: str, *, name: str = "Customer", whatsapp: bool = True
    ) -> str:
        """A customer writes; WhatsApp delivers it by webhook, Messenger also keeps it pollable."""
        content: dict[str, Any] = (
            {"type": "text", "text": {"body": text}} if whatsapp else {"text": text}
        )
        return self._customer_message(account, person, name, whatsapp, text, None, content)

    def customer_sends_file(
        self,
        account: str,
        person: str,
        data: bytes,
        mime_type: str,
        *,
        file_name: str = "file",
        caption: str = "",
        name: str = "Customer",
        whatsapp: bool = True,
    ) -> str:
        """A customer sends a file: WhatsApp names it by media id, Messenger by a CDN URL."""
        stored = self.files.put(account, file_name, mime_type, data)
        major = mime_type.split("/")[0]
        content: dict[str, Any]
        if whatsapp:
            kind = major if major in ("image", "video", "audio") else "document"
            media: dict[str, Any] = {
                "id": stored.id,
                "mime_type": mime_type,
                "sha256": stored.sha256,
            }
            if caption:
                media["caption"] = caption
            if kind == "document":
                media["filename"] = file_name
            content = {"type": kind, kind: media}
        else:
            kind = major if major in ("image", "video", "audio") else "file"
            content = {"attachments": [{"type": kind, "payload": {"url": self._cdn(stored)}}]}
        return self._customer_message(account, person, name, whatsapp, caption, stored, content)

    def _customer_message(
        self,
        account: str,
        person: str,
        name: str,
        whatsapp: bool,
        text: str,
        file: StoredFile | None,
        content: dict[str, Any],
    ) -> str:
        """Keep a customer's message in its thread and deliver it by webhook, in
        the platform's envelope; ``content`` is the message's own fields."""
        message_id = f"{'wamid' if whatsapp else 'm'}.IN{next(self._ids)}"
        thread = self._thread(account, person, name)
        thread.messages.append(FakeMessage(message_id, person, text, self.clock.now(), file))
        at = self.clock.now()
        if whatsapp:
            message = {"id": message_id, "timestamp": str(int(at)), **content}
            self._webhook(whatsapp_from_customer(account, person, name, message))
            return message_id
        at_ms = int(at * 1000)
        self._webhook(
            messenger_from_customer(account, person, at_ms, message={"mid": message_id, **content})
        )
        return message_id

    def _cdn(self, stored: StoredFile) -> str:
        return f"{self.url}/cdn/{stored.id}"

    def _thread(self, account: str, person: str, name: str = "Customer") -> FakeThread:
        key = (account, person)
        if key not in self.threads:
            self.threads[key] = FakeThread(f"t_{next(self._ids)}", person, name)
        return self.threads[key]

    # --- the API ------------------------------------------------------------------

    def error_reply(self, fault: Fault) -> Reply:
        error: dict[str, Any] = {
            "message": f"fake error {fault.code}",
            "type": "OAuthException",
            "code": fault.code,
            "fbtrace_id": "Fake",
        }
        if fault.subcode:
            error["error_subcode"] = fault.subcode
        if fault.code == 131047:
            error["error_data"] = {
                "details": "Message failed to send because more than 24 hours "
                "have passed since the customer last replied."
            }
        headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after else {}
        status = 429 if fault.code in (130429, 4, 17, 32, 613) else fault.status
        return status, {"error": error}, headers

    def _authorised(self, request: Request, account: str) -> bool:
        header = request.headers.get("authorization", "")
        return bool(self.tokens.get(account)) and header == f"Bearer {self.tokens[account]}"

    def handle(self, request: Request) -> Reply:
        status, body, headers = self._answer(request)
        usage = {"call_count": self.usage_percent, "total_time": 1, "total_cputime": 1}
        return status, body, {**headers, "X-App-Usage": json.dumps(usage)}

    def _answer(self, request: Request) -> Reply:
        parts = [p for p in request.path.split("/") if p]
        if parts and parts[0].startswith("v") and parts[0][1:].replace(".", "").isdigit():
            parts = parts[1:]  # /v21.0/…
        if len(parts) == 2 and parts[0] in ("cdn", "media-download"):
            return self._download(request, parts[0], parts[1])
        if len(parts) == 2 and parts[1] == "media" and request.method == "POST":
            return self._upload(request, parts[0])
        if len(parts) == 2 and parts[1] == "message_templates":
            return 200, {"data": self._template_list(parts[0]), "paging": {}}, {}
        if len(parts) == 1 and request.method == "GET" and self.files.get(parts[0]):
            return self._media_info(request, parts[0])
        if parts == ["dialog", "oauth"]:
            return self._login_dialog(request)
        if parts == ["oauth", "access_token"]:
            return self._access_token(request)
        if parts == ["me", "accounts"]:
            return self._my_pages(request)
        if len(parts) == 1 and parts[0] in self.phone_numbers and request.method == "GET":
            return self._phone_number(request, parts[0])
        if len(parts) == 2 and parts[1] == "messages" and request.method == "POST":
            if multipart(request)[1]:
                return self._send_messenger_file(request, parts[0])
            return self._send(request, parts[0])
        if len(parts) == 2 and parts[1] == "conversations":
            return self._conversations(request, parts[0])
        if len(parts) == 1 and request.method == "GET":
            return self._conversation(request, parts[0])
        return 404, {"error": {"message": "Unknown path", "code": 803}}, {}

    def _invalid_token(self) -> Reply:
        return (
            401,
            {
                "error": {
                    "message": "Error validating access token: Session has expired",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                }
            },
            {},
        )

    def _send(self, request: Request, account: str) -> Reply:
        if not self._authorised(request, account):
            return self._invalid_token()
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("messaging_product") == "whatsapp":
            if body.get("status") == "read":
                return 200, {"success": True}, {}
            person = str(body.get("to"))
            elsewhere = self._ids_elsewhere(account, person)
            if (wrong := whatsapp_context(body, elsewhere)) is not None:
                return wrong
            message_id = f"wamid.OUT{next(self._ids)}"
            kind = body.get("type", "text")
            if kind == "reaction":
                return self._reacted(whatsapp_reaction(body, account, elsewhere), message_id)
            text = body.get("text", {}).get("body", "")
            file = None
            if kind == "template":
                refusal = self._template_refusal(body.get("template"))
                if refusal:
                    return 400, {"error": {"message": refusal, "code": 132001}}, {}
                text = f"[template {body['template']['name']}]"
            elif kind != "text":
                media: dict[str, Any] = body[kind] if isinstance(body.get(kind), dict) else {}
                file = self.files.get(str(media.get("id")))
                if file is None or file.owner != account:
                    return 400, {"error": {"message": "Invalid media id", "code": 131053}}, {}
                text = str(media.get("caption", ""))
            self.sent.append(
                {
                    "account": account,
                    "to": person,
                    "text": text,
                    "id": message_id,
                    "body": body,
                    "file": file,
                }
            )
            self._thread(account, person).messages.append(
                FakeMessage(message_id, account, text, self.clock.now(), file)
            )
            self._schedule_statuses(account, person, message_id)
            return (
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": person, "wa_id": person}],
                    "messages": [{"id": message_id}],
                },
                {},
            )
        person = str(body.get("recipient", {}).get("id"))
        elsewhere = self._ids_elsewhere(account, person)
        if body.get("sender_action") in ("react", "unreact"):
            return self._reacted(messenger_reaction(body, account, person, elsewhere), None)
        if (wrong := messenger_reply_to(body.get("reply_to"), elsewhere)) is not None:
            return wrong
        if "sender_action" in body:  # mark_seen, typing_on…: an action, never a message
            self.sender_actions.append((person, str(body["sender_action"])))
            return 200, {"recipient_id": person}, {}
        message_id = f"m_OUT{next(self._ids)}"
        text = body.get("message", {}).get("text", "")
        self.sent.append(
            {"account": account, "to": person, "text": text, "id": message_id, "body": body}
        )
        self._thread(account, person).messages.append(
            FakeMessage(message_id, account, text, self.clock.now())
        )
        self._schedule_receipts(account, person, message_id)
        return 200, {"recipient_id": person, "message_id": message_id}, {}

    def _ids_elsewhere(self, account: str, person: str) -> set[str]:
        """The ids of the account's messages in its other conversations."""
        return {
            m.id
            for (owner, other), thread in self.threads.items()
            if owner == account and other != person
            for m in thread.messages
        }

    def _reacted(self, sent: ReactionSent | Reply, whatsapp_id: str | None) -> Reply:
        """Kept in :attr:`reactions`; a reaction is no message of the thread."""
        if not isinstance(sent, ReactionSent):
            return sent
        self.reactions.append(sent)
        if whatsapp_id is None:
            return 200, {"recipient_id": sent.person}, {}
        contacts = [{"input": sent.person, "wa_id": sent.person}]
        reply = {"messaging_product": "whatsapp", "contacts": contacts}
        return 200, {**reply, "messages": [{"id": whatsapp_id}]}, {}

    # --- files and templates ---------------------------------------------------------

    def _upload(self, request: Request, account: str) -> Reply:
        if not self._authorised(request, account):
            return self._invalid_token()
        fields, files = multipart(request)
        if "file" not in files or fields.get("messaging_product") != "whatsapp":
            return 400, {"error": {"message": "Param file must be a file", "code": 100}}, {}
        name, mime, data = files["file"]
        return 200, {"id": self.files.put(account, name, fields.get("type", mime), data).id}, {}

    def _media_info(self, request: Request, media_id: str) -> Reply:
        stored = self.files.get(media_id)
        assert stored is not None
        if not self._authorised(request, stored.owner):
            return self._invalid_token()
        return (
            200,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/media-download/{media_id}",
                "mime_type": stored.mime_type,
                "sha256": stored.sha256,
                "file_size": str(len(stored.data)),  # Meta sends a string here
                "id": media_id,
            },
            {},
        )

    def _download(self, request: Request, where: str, file_id: str) -> Reply:
        stored = self.files.get(file_id)
        if stored is None:
            return 404, {"error": {"message": "not found"}}, {}
        if where == "media-download" and not self._authorised(request, stored.owner):
            return 401, {"error": {"message": "unauthorised"}}, {}
        return file_reply(stored)

    def _send_messenger_file(self, request: Request, page: str) -> Reply:
        if not self._authorised(request, page):
            return self._invalid_token()
        fields, files = multipart(request)
        try:
            person = str(json.loads(fields["recipient"])["id"])
            attachment = json.loads(fields["message"])["attachment"]
            reply_to = json.loads(fields["reply_to"]) if "reply_to" in fields else None
        except (KeyError, ValueError, TypeError):
            return refused("Invalid parameter")
        if (wrong := messenger_reply_to(reply_to, self._ids_elsewhere(page, person))) is not None:
            return wrong
        name, mime, data = files["filedata"]
        stored = self.files.put(page, name, mime, data)
        message_id = f"m_OUT{next(self._ids)}"
        self.sent.append(
            {
                "account": page,
                "to": person,
                "text": "",
                "id": message_id,
                "file": stored,
                "body": {"attachment": attachment, **fields},
            }
        )
        self._thread(page, person).messages.append(
            FakeMessage(message_id, page, "", self.clock.now(), stored)
        )
        self._schedule_receipts(page, person, message_id)
        return 200, {"recipient_id": person, "message_id": message_id}, {}

    def _conversations(self, request: Request, page: str) -> Reply:
        if not self._authorised(request, page):
            return self._invalid_token()
        threads = sorted(
            (t for (a, _), t in self.threads.items() if a == page and t.messages),
            key=lambda t: t.messages[-1].at,
            reverse=True,
        )
        limit = int(request.query.get("limit", "25"))
        start = int(request.query.get("after", "0") or 0)
        page_items = threads[start : start + limit]
        data = [
            {
                "id": t.id,
                "updated_time": _graph_time(t.messages[-1].at),
                "participants": {
                    "data": [{"name": t.name, "id": t.person}, {"name": "Page", "id": page}]
                },
            }
            for t in page_items
        ]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + limit)}}
        if start + limit < len(threads):
            paging["next"] = (
                f"{self.url}/{page}/conversations?platform=messenger&limit={limit}"
                f"&after={start + limit}"
            )
        return 200, {"data": data, "paging": paging}, {}

    def _conversation(self, request: Request, thread_id: str) -> Reply:
        for (account, _), thread in self.threads.items():
            if thread.id == thread_id:
                if not self._authorised(request, account):
                    return self._invalid_token()
                recent = thread.messages[-READ_CAP:]
                data = [
                    {
                        "id": m.id,
                        "created_time": _graph_time(m.at),
                        "from": {
                            "name": thread.name if m.sender != account else "Page",
                            "id": m.sender,
                        },
                        "to": {"data": [{"id": account if m.sender != account else thread.person}]},
                        "message": m.text,
                        **_attachments(m, self._cdn),
                    }
                    for m in reversed(recent)
                ]
                return 200, {"messages": {"data": data, "paging": {}}, "id": thread_id}, {}
        return 404, {"error": {"message": "Unsupported get request", "code": 100}}, {}

    # --- webhooks ---------------------------------------------------------------------

    def _schedule_statuses(self, account: str, person: str, message_id: str) -> None:
        script = list(self.status_script)
        if self.reverse_statuses:
            script.reverse()
        if self.duplicate_statuses:
            script = [s for s in script for _ in (0, 1)]
        for n, status in enumerate(script):
            later(
                0.05 * (n + 1),
                lambda s=status: self._webhook(  # type: ignore[misc]
                    whatsapp_status(account, person, message_id, s, int(self.clock.now()))
                ),
            )

    def _schedule_receipts(self, page: str, person: str, message_id: str) -> None:
        """Messenger: delivered, then read -- by watermark, as Messenger reports them."""
        if not self.webhook_url:
            return
        for n, kind in enumerate(("delivery", "read")):
            later(
                0.05 * (n + 1),
                lambda k=kind: self._webhook(  # type: ignore[misc]
                    messenger_receipt(page, person, k, int(self.clock.now() * 1000), [message_id])
                ),
            )

    def _webhook(self, body: dict[str, Any]) -> int:
        raw = json.dumps(body).encode()
        signature = "sha256=" + hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        return self.deliver("/webhooks/meta", raw, {"X-Hub-Signature-256": signature})


def _attachments(message: FakeMessage, cdn: Any) -> dict[str, Any]:
    if message.file is None:
        return {}
    item: dict[str, Any] = {
        "id": message.file.id,
        "mime_type": message.file.mime_type,
        "name": message.file.name,
    }
    if message.file.mime_type.startswith("image/"):
        item["image_data"] = {"url": cdn(message.file), "preview_url": cdn(message.file)}
    else:
        item["file_url"] = cdn(message.file)
    return {"attachments": {"data": [item]}}


def _graph_time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
