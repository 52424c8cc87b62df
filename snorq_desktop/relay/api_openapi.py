"""The API's OpenAPI 3.1 document, served at /api/v1/openapi.json.  Written out
by hand (it is the contract a shop's developer reads); a test checks that its
paths and methods are exactly the routes the app serves."""

from typing import Any

_PROBLEM = {"$ref": "#/components/responses/Problem"}
_ERRORS = {
    "400": _PROBLEM,
    "401": _PROBLEM,
    "403": _PROBLEM,
    "404": _PROBLEM,
    "422": _PROBLEM,
    "429": _PROBLEM,
    "503": _PROBLEM,
}


def _path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


_PAGING = [
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "page size"),
    _query("cursor", {"type": "string"}, "next_cursor of the previous page, as given"),
]
_ID = _path_parameter("conversation_id")


def _ok(schema: str, status: str = "200") -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {status: {"description": "OK", "content": {"application/json": {"schema": ref}}}}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_ENUM = {
    "platform": ["TIKTOK", "WHATSAPP", "FACEBOOK"],
    "status": ["OPEN", "CLOSED", "ARCHIVED"],
}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": ["string", "null"]}

_SCHEMAS: dict[str, Any] = {
    "Conversation": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "platform": {"enum": _ENUM["platform"]},
            "external_id": {"type": "string"},
            "external_thread_id": _TEXT,
            "contact_external_id": {"type": "string"},
            "contact_name": _TEXT,
            "contact_username": _TEXT,
            "contact_avatar_url": _TEXT,
            "last_message_preview": _TEXT,
            "last_message_at": _TIME,
            "unread_count": {"type": "integer"},
            "status": {"enum": _ENUM["status"]},
            "labels": {"type": ["array", "null"], "items": {"type": "string"}},
            "platform_connection_id": {"type": "string"},
            "created_at": _TIME,
            "updated_at": _TIME,
            "assignee_user_id": _TEXT,  # who's on it; null: unassigned
        },
    },
    "Message": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "conversation_id": {"type": "string"},
            "external_id": _TEXT,
            "direction": {"enum": ["INBOUND", "OUTBOUND"]},
            "content": _TEXT,
            "content_type": {"type": "string"},
            "media_url": _TEXT,
            "media_type": _TEXT,
            "status": {"enum": ["PENDING", "SENT", "DELIVERED", "READ", "FAILED"]},
            "sent_by_user_id": _TEXT,
            "platform_timestamp": _TIME,
            "created_at": _TIME,
            "failure_reason": _TEXT,
        },
    },
    "Note": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "conversation_id": {"type": "string"},
            "content": {"type": "string"},
            "author_id": {"type": "string"},
            "created_at": _TIME,
        },
    },
    "ConversationPage": {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Conversation"}},
            "next_cursor": _TEXT,
        },
    },
    "MessagePage": {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
            "next_cursor": _TEXT,
        },
    },
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
    },
}

_PATHS: dict[str, Any] = {
    "/conversations": {
        "get": {
            "summary": "Conversations, newest activity first (as in the sidebar)",
            "parameters": [
                _query("platform", {"enum": _ENUM["platform"]}, "one platform's"),
                _query("status", {"enum": _ENUM["status"]}, "default: all but ARCHIVED"),
                _query("unread", {"type": "boolean"}, "only unread (true) or read (false)"),
                _query("label", {"type": "string"}, "only those with this label (its name)"),
                _query(
                    "assignee",
                    {"type": "string"},
                    "only those assigned to this member (a user id), or none: unassigned ones",
                ),
                _query("q", {"type": "string"}, "the window's search: contact names and messages"),
                *_PAGING,
            ],
            "responses": {**_ok("ConversationPage"), **_ERRORS},
        }
    },
    "/conversations/{conversation_id}": {
        "parameters": [_ID],
        "get": {"summary": "One conversation", "responses": {**_ok("Conversation"), **_ERRORS}},
        "patch": {
            "summary": "Change a conversation's status",
            "requestBody": _body({"status": {"enum": _ENUM["status"]}}, ["status"]),
            "responses": {**_ok("Conversation"), **_ERRORS},
        },
    },
    "/conversations/{conversation_id}/messages": {
        "parameters": [_ID],
        "get": {
            "summary": "A conversation's messages, newest first",
            "parameters": _PAGING,
            "responses": {**_ok("MessagePage"), **_ERRORS},
        },
        "post": {
            "summary": "Queue a text reply (sent by the team's outbox)",
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "schema": {"type": "string", "maxLength": 255},
                    "description": "the same key again answers with the reply it queued "
                    "(200, Idempotent-Replayed: true) and sends nothing more",
                }
            ],
            "requestBody": _body({"text": {"type": "string"}}, ["text"]),
            "responses": {**_ok("Message", "201"), **_ok("Message"), **_ERRORS},
        },
    },
    "/conversations/{conversation_id}/labels/{name}": {
        "parameters": [_ID, _path_parameter("name")],
        "post": {
            "summary": "Put a label on (made if the organisation has none of that name)",
            "responses": {**_ok("Conversation"), **_ERRORS},
        },
        "delete": {"summary": "Take a label off", "responses": {**_ok("Conversation"), **_ERRORS}},
    },
    "/conversations/{conversation_id}/notes": {
        "parameters": [_ID],
        "post": {
            "summary": "Write an internal note (never sent to the customer)",
            "requestBody": _body({"content": {"type": "string"}}, ["content"]),
            "responses": {**_ok("Note", "201"), **_ERRORS},
        },
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1"}},
        }
    },
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "SNORQ API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": _PATHS,
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "bearerFormat": "snorq_live_…"}
            },
            "schemas": _SCHEMAS,
            "responses": {
                "Problem": {
                    "description": "refused (RFC 9457); 429 carries Retry-After",
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
            },
        },
    }
