"""A fake TikTok Business Messaging API: envelopes with error codes inside HTTP 200,
rotating refresh tokens, signed webhooks."""

import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from snorq_desktop.demo.fakes.media import FileStore, file_reply, multipart
from snorq_desktop.demo.fakes.server import FakePlatform, Fault, Reply, Request, later

READ_CAP = 20


@dataclass
class FakeConversation:
    id: str
    person: str
    name: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    username: str | None = None  # unknown for conversations from before the fake started


class FakeTikTok(FakePlatform):
    def __init__(self, *, app_secret: str = "tiktok-app-secret") -> None:
        super().__init__()
        self.app_secret = app_secret
        self.access_tokens: dict[str, str] = {}  # token -> business id
        self.refresh_tokens: dict[str, str] = {}  # current refresh token -> business id
        self.used_refresh_tokens: set[str] = set()
        self.locked_out: set[str] = set()
        self.conversations: dict[str, FakeConversation] = {}
        self.sent: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.files = FileStore("ttmedia-")
        # OAuth: the business's app, who logs in, and what they do in the dialog.
        self.apps: dict[str, str] = {}  # client key -> client secret
        self.login_business: str | None = None  # the Business Account that logs in
        self.deny_login = False
        self._codes: dict[str, tuple[str, str, str]] = {}  # code -> (key, redirect, business)

    def add_account(self, business: str, access_token: str, refresh_token: str) -> None:
        self.access_tokens[access_token] = business
        self.refresh_tokens[refresh_token] = business

    def customer_writes(
        self,
        business: str,
        person: str,
        text: str,
        *,
        name: str = "Customer",
        username: str | None = None,
    ) -> str:
        conversation = self._conversation(business, person, name, username)
        message = self._message(conversation, person, business, text)
        self._webhook("im_receive_msg", business, message)
        return str(message["message_id"])

    def customer_sends_image(
        self,
        business: str,
        person: str,
        data: bytes,
        mime_type: str,
        *,
        name: str = "Customer",
        username: str | None = None,
    ) -> str:
        conversation = self._conversation(business, person, name, username)
        stored = self.files.put(business, "image", mime_type, data)
        message = self._message(conversation, person, business, "")
        message.pop("text")
        message.update(message_type="IMAGE", image={"media_id": stored.id})
        self._webhook("im_receive_msg", business, message)
        return str(message["message_id"])

    def _conversation(
        self, business: str, person: str, name: str = "Customer", username: str | None = None
    ) -> FakeConversation:
        for conversation in self.conversations.values():
            if conversation.person == person:
                conversation.username = conversation.username or username
                return conversation
        conversation = FakeConversation(f"{business}+{person}==", person, name, username=username)
        self.conversations[conversation.id] = conversation
        return conversation

    def _message(
        self, conversation: FakeConversation, sender: str, receiver: str, text: str
    ) -> dict[str, Any]:
        message = {
            "message_id": f"tt-{next(self._ids)}",
            "conversation_id": conversation.id,
            "timestamp": int(self.clock.now() * 1000),
            "message_type": "TEXT",
            "text": {"body": text},
            "from_user": {"id": sender, "role": self._role(sender)},
            "to_user": {"id": receiver, "role": self._role(receiver)},
        }
        conversation.messages.append(message)
        return message

    def _role(self, user: str) -> str:
        return "business_account" if user in self.access_tokens.values() else "personal_account"

    def _usernames(self, message: dict[str, Any]) -> dict[str, str]:
        """``from`` / ``to``: TikTok names both sides by username in its webhooks."""
        conversation = self.conversations.get(str(message["conversation_id"]))
        customer = conversation.username if conversation else None
        business = "shop"
        if message["from_user"]["role"] == "business_account":
            return {"from": business, **({"to": customer} if customer else {})}
        return {**({"from": customer} if customer else {}), "to": business}

    def customer_reads(self, business: str, conversation_id: str) -> int:
        """The customer opens the conversation: im_mark_read_msg, up to now."""
        conversation = self.conversations[conversation_id]
        content = {
            "conversation_id": conversation_id,
            "read": {"last_read_timestamp": int(self.clock.now() * 1000)},
            "from_user": {"id": conversation.person, "role": "personal_account"},
            "to_user": {"id": business, "role": "business_account"},
        }
        return self._deliver("im_mark_read_msg", business, content)

    def error_reply(self, fault: Fault) -> Reply:
        headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after else {}
        return (
            200,
            {
                "code": fault.code,
                "message": f"fake error {fault.code}",
                "request_id": "x",
                "data": {},
            },
            headers,
        )

    def _ok(self, data: dict[str, Any]) -> Reply:
        return 200, {"code": 0, "message": "OK", "request_id": "fake", "data": data}, {}

    def add_app(self, client_key: str, client_secret: str) -> None:
        self.apps[client_key] = client_secret

    def handle(self, request: Request) -> Reply:
        path = request.path.rstrip("/").split("/open_api/v1.3/")[-1].lstrip("/")
        if path == "v2/auth/authorize":
            return self._authorize(request)
        if path.endswith("tt_user/oauth2/token"):
            return self._token(request)
        if path.endswith("tt_user/oauth2/refresh_token"):
            return self._refresh(request)
        if path.startswith("tiktok-cdn/"):
            stored = self.files.get(path.split("/")[-1])
            return file_reply(stored) if stored else (404, {"message": "gone"}, {})
        business = self.access_tokens.get(request.headers.get("access-token", ""))
        if business is None:
            return self.error_reply(Fault("error", code=40105))
        if path.endswith("business/message/media/upload"):
            fields, files = multipart(request)
            if "file" not in files or fields.get("media_type") != "IMAGE":
                return self.error_reply(Fault("error", code=40002))
            name, mime, data = files["file"]
            return self._ok({"media_id": self.files.put(business, name, mime, data).id})
        if path.endswith("business/message/media/download"):
            body = request.body if isinstance(request.body, dict) else {}
            stored = self.files.get(str(body.get("media_id")))
            if stored is None or stored.owner != business:
                return self.error_reply(Fault("error", code=40007))
            return self._ok({"download_url": f"{self.url}/tiktok-cdn/{stored.id}"})
        if path.endswith("business/message/send"):
            body = request.body if isinstance(request.body, dict) else {}
            recipient = str(body.get("recipient"))
            conversation = self.conversations.get(recipient)
            if conversation is None:
                # A conversation from before this fake started (the demo's history).
                conversation = FakeConversation(recipient, f"user-{recipient}", "Customer")
                self.conversations[recipient] = conversation
            message = self._message(
                conversation, business, conversation.person, body.get("text", {}).get("body", "")
            )
            file = None
            if body.get("message_type") == "IMAGE":
                file = self.files.get(str(body.get("image", {}).get("media_id")))
                if file is None or file.owner != business:
                    return self.error_reply(Fault("error", code=40002))
                message.pop("text")
                message.update(message_type="IMAGE", image={"media_id": file.id})
            self.sent.append(
                {
                    "business": business,
                    "conversation": conversation.id,
                    "text": message.get("text", {}).get("body", ""),
                    "id": message["message_id"],
                    "file": file,
                }
            )
            # TikTok echoes the business's own message, then the customer reads it.
            # (Later than the send's answer, as on TikTok: the app stores the id first.)
            echo, read = dict(message), conversation.id
            later(0.3, lambda: self._webhook("im_send_msg", business, echo))
            later(0.4, lambda: self.customer_reads(business, read))
            return self._ok({"message": {"message_id": message["message_id"]}})
        if path.endswith("conversation/list"):
            ordered = sorted(
                (c for c in self.conversations.values() if c.messages),
                key=lambda c: c.messages[-1]["timestamp"],
                reverse=True,
            )
            if request.query.get("conversation_type") != "SINGLE":
                ordered = []
            start = int(request.query.get("cursor", "0") or 0)
            limit = int(request.query.get("limit", "100"))
            chunk = ordered[start : start + limit]
            return self._ok(
                {
                    "conversations": [
                        {"conversation_id": c.id, "update_time": c.messages[-1]["timestamp"]}
                        for c in chunk
                    ],
                    "has_more": start + limit < len(ordered),
                    "cursor": start + limit,
                }
            )
        if path.endswith("content/list"):
            conversation = self.conversations.get(request.query.get("conversation_id", ""))
            if conversation is None:
                return self.error_reply(Fault("error", code=40007))
            return self._ok(
                {
                    "messages": conversation.messages[-READ_CAP:],
                    "participants": [
                        {
                            "role": "personal_account",
                            "id": conversation.person,
                            "display_name": conversation.name,
                            "profile_image": None,
                            "is_follower": True,
                        }
                    ],
                }
            )
        return 404, {"code": 40002, "message": "unknown path"}, {}

    def _authorize(self, request: Request) -> Reply:
        """The consent page at www.tiktok.com/v2/auth/authorize: the business logs
        in at once (or declines) and the browser goes back to redirect_uri."""
        query = request.query
        redirect, state = query.get("redirect_uri", ""), query.get("state", "")
        key = query.get("client_key", "")
        if key not in self.apps or not redirect:
            return 400, {"error": "invalid_client", "error_description": "client_key"}, {}
        if self.deny_login or self.login_business is None:
            answer = {
                "error": "access_denied",
                "error_description": "The user denied the authorization request.",
                "state": state,
            }
        else:
            code = f"auth-{next(self._ids)}"
            self._codes[code] = (key, redirect, self.login_business)
            answer = {"code": code, "scopes": query.get("scope", ""), "state": state}
        return 302, {}, {"Location": redirect + "?" + urlencode(answer)}

    def _token(self, request: Request) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        key = str(body.get("client_id", ""))
        if key not in self.apps or self.apps[key] != body.get("client_secret"):
            return self.error_reply(Fault("error", code=40001))
        issued = self._codes.pop(str(body.get("auth_code", "")), None)
        if issued is None or issued[:2] != (key, body.get("redirect_uri")):
            return self.error_reply(Fault("error", code=40002))
        scope = "message.list.read,message.list.send,message.list.manage"
        return self._ok({**self._new_tokens(issued[2]), "scope": scope})

    def _new_tokens(self, business: str) -> dict[str, Any]:
        """A fresh access and refresh token pair for ``business``, as TikTok answers."""
        access, refresh = f"act-{next(self._ids)}", f"ref-{next(self._ids)}"
        self.access_tokens[access] = business
        self.refresh_tokens[refresh] = business
        return {
            "open_id": business,
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": 86400,
            "refresh_token_expires_in": 31536000,
        }

    def _refresh(self, request: Request) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        key = str(body.get("client_id", ""))
        if self.apps and self.apps.get(key) != body.get("client_secret"):
            # Once apps are registered, a refresh must name one of them.
            return self.error_reply(Fault("error", code=40001))
        token = body.get("refresh_token")
        if token in self.used_refresh_tokens:
            # A refresh token used twice: TikTok locks the account out.
            self.locked_out.update(self.refresh_tokens.values())
            return self.error_reply(Fault("error", code=40105))
        if str(token) not in self.refresh_tokens:
            return self.error_reply(Fault("error", code=40105))
        business = self.refresh_tokens.pop(str(token))
        self.used_refresh_tokens.add(str(token))
        return self._ok(self._new_tokens(business))

    def _webhook(self, event: str, business: str, message: dict[str, Any]) -> int:
        """A message by webhook, as TikTok sends it: ``type`` (lowercase), the
        usernames as ``from`` / ``to``, each side's role."""
        content = {k: v for k, v in message.items() if k != "message_type"}
        content["type"] = str(message["message_type"]).lower()
        content.update(self._usernames(message))
        return self._deliver(event, business, content)

    def _deliver(self, event: str, business: str, content: dict[str, Any]) -> int:
        body = {
            "event": event,
            "user_openid": business,
            "create_time": int(self.clock.now()),
            "content": json.dumps(content),
        }
        raw = json.dumps(body).encode()
        stamp = int(self.clock.now())
        signature = hmac.new(
            self.app_secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256
        ).hexdigest()
        return self.deliver(
            "/webhooks/tiktok", raw, {"Tiktok-Signature": f"t={stamp},s={signature}"}
        )
