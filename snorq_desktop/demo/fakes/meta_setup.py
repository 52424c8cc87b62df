"""What a business sets up at Meta, for the fake Graph host (meta.py): its app's
Facebook Login, the pages and phone numbers it manages, its approved WhatsApp
templates.  A mixin of FakeMeta, whose state it reads."""

import itertools
from typing import Any
from urllib.parse import urlencode

from snorq_desktop.demo.fakes.server import Reply, Request


class BusinessSetup:
    # FakeMeta's state (set in its __init__).
    tokens: dict[str, str]
    templates: dict[str, list[dict[str, str]]]
    apps: dict[str, str]
    login_pages: list[tuple[str, str]]
    deny_login: bool
    phone_numbers: dict[str, tuple[str, str]]
    _ids: "itertools.count[int]"
    _codes: dict[str, tuple[str, str]]
    _user_tokens: dict[str, bool]

    def _authorised(self, request: Request, account: str) -> bool:
        raise NotImplementedError

    def _invalid_token(self) -> Reply:
        raise NotImplementedError

    # --- templates --------------------------------------------------------------------

    def add_template(
        self, business_account: str, name: str, body: str, *, language: str = "en_US"
    ) -> None:
        self.templates.setdefault(business_account, []).append(
            {"name": name, "language": language, "category": "UTILITY", "body": body}
        )

    def _template_list(self, business_account: str) -> list[dict[str, Any]]:
        return [
            {
                "name": t["name"],
                "language": t["language"],
                "status": "APPROVED",
                "category": t["category"],
                "components": [{"type": "BODY", "text": t["body"]}],
                "id": f"tpl-{n}",
            }
            for n, t in enumerate(self.templates.get(business_account, []))
        ]

    def _template_refusal(self, template: Any) -> str | None:
        if not isinstance(template, dict):
            return "template is missing"
        for known in (t for ts in self.templates.values() for t in ts):
            language = template.get("language", {}).get("code")
            if known["name"] == template.get("name") and known["language"] == language:
                wanted = known["body"].count("{{")
                given = sum(len(c.get("parameters", [])) for c in template.get("components", []))
                if wanted != given:
                    return f"Number of parameters does not match: expected {wanted}, got {given}"
                return None
        return "Template name does not exist in the translation"

    # --- Facebook Login -------------------------------------------------------------

    def _login_dialog(self, request: Request) -> Reply:
        """The dialog at www.facebook.com/…/dialog/oauth: the person logs in at once
        (or cancels) and the browser is sent back to redirect_uri."""
        query = request.query
        redirect, state = query.get("redirect_uri", ""), query.get("state", "")
        if query.get("client_id") not in self.apps or not redirect:
            return 400, {"error": {"message": "Invalid App ID", "code": 101}}, {}
        if self.deny_login:
            target = (
                redirect
                + "?"
                + urlencode(
                    {
                        "error": "access_denied",
                        "error_code": "200",
                        "error_description": "Permissions error",
                        "error_reason": "user_denied",
                        "state": state,
                    }
                )
            )
        else:
            code = f"code-{next(self._ids)}"
            self._codes[code] = (str(query["client_id"]), redirect)
            target = redirect + "?" + urlencode({"code": code, "state": state})
        return 302, {}, {"Location": target}

    def _oauth_error(self, message: str) -> Reply:
        return 400, {"error": {"message": message, "type": "OAuthException", "code": 100}}, {}

    def _access_token(self, request: Request) -> Reply:
        query = request.query
        app_id = query.get("client_id", "")
        if self.apps.get(app_id) != query.get("client_secret"):
            return self._oauth_error("Error validating client secret.")
        if query.get("grant_type") == "fb_exchange_token":
            if query.get("fb_exchange_token") not in self._user_tokens:
                return self._invalid_token()
            token = f"long-user-{next(self._ids)}"
            self._user_tokens[token] = True
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": 5183944}, {}
        issued = self._codes.pop(query.get("code", ""), None)
        if issued is None:
            return self._oauth_error("This authorization code has been used or is invalid.")
        if issued != (app_id, query.get("redirect_uri", "")):
            return self._oauth_error("Error validating verification code: redirect_uri differs.")
        token = f"short-user-{next(self._ids)}"
        self._user_tokens[token] = False
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600}, {}

    def _my_pages(self, request: Request) -> Reply:
        header = request.headers.get("authorization", "")
        if header.removeprefix("Bearer ") not in self._user_tokens:
            return self._invalid_token()
        data = [
            {
                "access_token": self.tokens.get(page, ""),
                "category": "Shopping & retail",
                "name": name,
                "id": page,
                "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT"],
            }
            for page, name in self.login_pages
        ]
        return 200, {"data": data, "paging": {"cursors": {"before": "0", "after": "0"}}}, {}

    def _phone_number(self, request: Request, phone_number_id: str) -> Reply:
        if not self._authorised(request, phone_number_id):
            return self._invalid_token()
        number, name = self.phone_numbers[phone_number_id]
        return (
            200,
            {
                "id": phone_number_id,
                "display_phone_number": number,
                "verified_name": name,
                "quality_rating": "GREEN",
            },
            {},
        )
