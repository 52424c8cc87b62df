"""The REST API (#18) with httpx against the real Starlette app, logged in to
the real database as the API's own login (row-level security applies): every
route, the auth failures, problem details, the rate limit, the OpenAPI
document against the routes, and pagination over 10,000 conversations."""

import hashlib
from collections.abc import Iterator

import httpx
import pytest
from starlette.routing import Mount, Route

from snorq_desktop.domain.enums import MemberRole, PlanType, Platform
from snorq_desktop.domain.errors import PermissionDenied, PlanRefused
from snorq_desktop.domain.identity import Identity
from snorq_desktop.relay.api import ApiLimits
from snorq_desktop.secrets.cipher import TokenCipher
from snorq_desktop.secrets.keys import KeySet
from snorq_desktop.services.api_keys import ApiKeyService
from snorq_desktop.store import assignments
from snorq_desktop.store import organizations as orgs
from snorq_desktop.store.unit_of_work import unit_of_work
from tests.api_world import api_app, api_client, api_login, bearer, make_key
from tests.shop import account, open_shop


@pytest.fixture
def business(shop):
    shop.sql("UPDATE organizations SET plan = 'BUSINESS' WHERE id = :org", org=shop.organization_id)
    return shop


@pytest.fixture
def api_sessions(business, database_url):
    with api_login(business.engine, database_url) as sessions:
        yield sessions


@pytest.fixture
def client(api_sessions) -> Iterator[httpx.Client]:
    with api_client(api_sessions) as http:
        yield http


@pytest.fixture
def key(business) -> str:
    return make_key(business.sessions, business.organization_id, business.owner_id)


def _other_shop(shop, plan: str = "BUSINESS") -> tuple[str, str]:
    with unit_of_work(shop.sessions) as session:
        other = open_shop(
            session,
            TokenCipher(KeySet.fresh()),
            [account(Platform.WHATSAPP, "other-acct")],
            email="ola@example.com",
            name="Ola's Shop",
            slug="ola",
        )
    shop.sql(
        "UPDATE organizations SET plan = :plan WHERE id = :org",
        plan=plan,
        org=other.organization_id,
    )
    shop.sql(
        """
        INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
            external_id, contact_external_id, contact_name)
        VALUES ('theirs', :org, :conn, 'WHATSAPP', 'x-1', 'c-1', 'Their customer')
        """,
        org=other.organization_id,
        conn=other.connections[Platform.WHATSAPP],
    )
    return other.organization_id, other.owner_id


def test_every_route(business, client, key):
    business.add_conversations(3, Platform.WHATSAPP, unread=1)
    business.sql(
        """
        INSERT INTO conversations (id, organization_id, platform_connection_id, platform,
            external_id, contact_external_id, contact_name, last_message_at)
        VALUES ('tiko', :org, :conn, 'TIKTOK', 't-1', 'tc-1', 'Tiko 0', now() - interval '1 day')
        """,
        org=business.organization_id,
        conn=business.connections[Platform.TIKTOK],
    )
    auth = bearer(key)

    listed = client.get("/conversations", headers=auth)
    assert listed.status_code == 200
    rows = listed.json()["data"]
    assert len(rows) == 4 and listed.json()["next_cursor"] is None
    assert set(rows[0]) >= {"id", "platform", "contact_name", "unread_count", "status", "labels"}
    only_tiktok = client.get("/conversations", params={"platform": "tiktok"}, headers=auth).json()
    assert [r["contact_name"] for r in only_tiktok["data"]] == ["Tiko 0"]
    found = client.get("/conversations", params={"q": "customer 2"}, headers=auth).json()["data"]
    assert [r["contact_name"] for r in found] == ["Customer 2"]
    unread = client.get("/conversations", params={"unread": "true"}, headers=auth).json()["data"]
    assert {r["platform"] for r in unread} == {"WHATSAPP"} and len(unread) == 3

    conversation = rows[0]["id"]
    one = client.get(f"/conversations/{conversation}", headers=auth)
    assert one.status_code == 200 and one.json()["id"] == conversation
    assert one.json()["contact_external_id"].startswith("contact-")
    messages = client.get(f"/conversations/{conversation}/messages", headers=auth).json()
    assert [m["direction"] for m in messages["data"]] == ["INBOUND"]

    sent = client.post(
        f"/conversations/{conversation}/messages",
        json={"text": "Your order shipped: https://track.example/1"},
        headers={**auth, "Idempotency-Key": "order-1-shipped"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "PENDING" and sent.json()["direction"] == "OUTBOUND"
    assert sent.json()["sent_by_user_id"] == business.owner_id
    again = client.post(
        f"/conversations/{conversation}/messages",
        json={"text": "Your order shipped: https://track.example/1"},
        headers={**auth, "Idempotency-Key": "order-1-shipped"},
    )
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == sent.json()["id"]
    other_text = client.post(
        f"/conversations/{conversation}/messages",
        json={"text": "something else"},
        headers={**auth, "Idempotency-Key": "order-1-shipped"},
    )
    assert other_text.status_code == 422
    assert business.sql(
        "SELECT count(*) FROM messages WHERE conversation_id = :c AND direction = 'OUTBOUND'",
        c=conversation,
    ) == [(1,)]

    labelled = client.post(f"/conversations/{conversation}/labels/VIP", headers=auth)
    assert labelled.status_code == 200 and labelled.json()["labels"] == ["VIP"]
    by_label = client.get("/conversations", params={"label": "vip"}, headers=auth).json()["data"]
    assert [r["id"] for r in by_label] == [conversation]
    unlabelled = client.delete(f"/conversations/{conversation}/labels/VIP", headers=auth)
    assert unlabelled.status_code == 200 and unlabelled.json()["labels"] == []

    note = client.post(
        f"/conversations/{conversation}/notes", json={"content": "Paid by card"}, headers=auth
    )
    assert note.status_code == 201 and note.json()["author_id"] == business.owner_id
    assert business.sql("SELECT content FROM notes WHERE conversation_id = :c", c=conversation) == [
        ("Paid by card",)
    ]

    closed = client.patch(f"/conversations/{conversation}", json={"status": "CLOSED"}, headers=auth)
    assert closed.status_code == 200 and closed.json()["status"] == "CLOSED"
    by_status = client.get("/conversations", params={"status": "CLOSED"}, headers=auth).json()
    assert [r["id"] for r in by_status["data"]] == [conversation]


def _problem(response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert str(body["type"]).startswith("https://snorq.app/problems/")
    return body


def test_auth_failures(business, client, key):
    business.add_conversations(1)
    assert "Authorization: Bearer" in str(_problem(client.get("/conversations"), 401)["detail"])
    unknown = client.get("/conversations", headers=bearer("snorq_live_" + "x" * 43))
    assert "not known" in str(_problem(unknown, 401)["detail"])

    doomed = make_key(business.sessions, business.organization_id, business.owner_id, "old")
    assert client.get("/conversations", headers=bearer(doomed)).status_code == 200
    owner = Identity(business.organization_id, "Shop", business.owner_id, "Maya")
    assert ApiKeyService(business.sessions).revoke(owner, "old") == "old"
    revoked = client.get("/conversations", headers=bearer(doomed))
    assert "revoked" in str(_problem(revoked, 401)["detail"])

    other_org, other_owner = _other_shop(business)
    theirs = make_key(business.sessions, other_org, other_owner, "theirs")
    mine = client.get("/conversations", headers=bearer(key)).json()["data"]
    seen_by_them = client.get("/conversations", headers=bearer(theirs)).json()["data"]
    assert [r["id"] for r in seen_by_them] == ["theirs"]
    assert "theirs" not in [r["id"] for r in mine]
    _problem(client.get(f"/conversations/{mine[0]['id']}", headers=bearer(theirs)), 404)
    _problem(
        client.patch(
            f"/conversations/{mine[0]['id']}", json={"status": "ARCHIVED"}, headers=bearer(theirs)
        ),
        404,
    )
    _problem(
        client.post(
            f"/conversations/{mine[0]['id']}/messages", json={"text": "hi"}, headers=bearer(theirs)
        ),
        404,
    )
    assert business.sql("SELECT status FROM conversations WHERE id = :c", c=mine[0]["id"]) == [
        ("OPEN",)
    ]

    for plan, name in (("PRO", "Pro"), ("FREE", "Free")):
        business.sql(
            "UPDATE organizations SET plan = :p WHERE id = :o", p=plan, o=business.organization_id
        )
        refused = _problem(client.get("/conversations", headers=bearer(key)), 403)
        assert f"on the {name} plan" in str(refused["detail"])
        assert "Business plan" in str(refused["detail"])


def test_keys_only_for_business_and_never_above_their_maker(business, shop):
    service = ApiKeyService(business.sessions)
    owner = Identity(business.organization_id, "Shop", business.owner_id, "Maya")
    for plan, name in ((PlanType.PRO, "Pro"), (PlanType.FREE, "Free")):
        business.sql(
            "UPDATE organizations SET plan = :p WHERE id = :o",
            p=plan.value,
            o=business.organization_id,
        )
        with pytest.raises(PlanRefused, match=f"on the {name} plan"):
            service.create(owner, "shop", MemberRole.MEMBER)
    business.sql(
        "UPDATE organizations SET plan = 'BUSINESS' WHERE id = :o", o=business.organization_id
    )
    made = service.create(owner, "shop", MemberRole.OWNER)
    assert made.key.startswith("snorq_live_") and len(made.key) > 40
    stored = business.sql("SELECT key_hash, key_prefix FROM api_keys WHERE id = :i", i=made.info.id)
    assert stored == [(hashlib.sha256(made.key.encode()).hexdigest(), made.key[:17])]
    assert made.key not in str(business.sql("SELECT * FROM api_keys"))
    assert [k.name for k in service.all(owner)] == ["shop"]

    admin_id = business.sql(
        "INSERT INTO users (id, email) VALUES ('admin-id', 'ada@example.com') RETURNING id"
    )[0][0]
    business.sql(
        "INSERT INTO organization_members (id, organization_id, user_id, role) "
        "VALUES ('m-admin', :o, :u, 'ADMIN')",
        o=business.organization_id,
        u=admin_id,
    )
    admin = Identity(business.organization_id, "Shop", str(admin_id), "Ada")
    with pytest.raises(PermissionDenied, match="does not allow a key with the role OWNER"):
        service.create(admin, "too high", MemberRole.OWNER)
    assert service.create(admin, "admin's", MemberRole.ADMIN).info.role is MemberRole.ADMIN


def test_bad_requests_are_problem_details(business, client, key):
    business.add_conversations(1)
    auth = bearer(key)
    conversation = client.get("/conversations", headers=auth).json()["data"][0]["id"]
    _problem(client.get("/conversations", params={"cursor": "!!"}, headers=auth), 400)
    _problem(client.get("/conversations", params={"limit": "0"}, headers=auth), 400)
    _problem(client.get("/conversations", params={"platform": "myspace"}, headers=auth), 400)
    _problem(client.get("/conversations/nope", headers=auth), 404)
    path = f"/conversations/{conversation}/messages"
    _problem(client.post(path, content=b"not json", headers=auth), 400)
    _problem(client.post(path, json={"text": ""}, headers=auth), 422)
    _problem(client.post(path, json={"text": "x" * 70_000}, headers=auth), 413)
    _problem(
        client.patch(f"/conversations/{conversation}", json={"status": "GONE"}, headers=auth), 400
    )
    assert business.sql("SELECT count(*) FROM messages WHERE direction = 'OUTBOUND'") == [(0,)]


def test_rate_limit_per_key(business, api_sessions, key):
    now = [1000.0]
    limits = ApiLimits(requests_per_minute=60, burst=2, clock=lambda: now[0])
    other = make_key(business.sessions, business.organization_id, business.owner_id, "other")
    with api_client(api_sessions, limits) as http:
        assert http.get("/conversations", headers=bearer(key)).status_code == 200
        assert http.get("/conversations", headers=bearer(key)).status_code == 200
        limited = http.get("/conversations", headers=bearer(key))
        _problem(limited, 429)
        assert limited.headers["Retry-After"] == "1"
        assert http.get("/conversations", headers=bearer(other)).status_code == 200
        now[0] += 1.0
        assert http.get("/conversations", headers=bearer(key)).status_code == 200


def test_openapi_document_matches_the_routes(api_sessions, client):
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    mount = next(r for r in api_app(api_sessions).routes if isinstance(r, Mount))
    served = {
        (route.path, method.lower())
        for route in mount.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert served == documented
    for path, item in document["paths"].items():
        named = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert named == {part[1:-1] for part in path.split("/") if part.startswith("{")}


def test_pagination_over_10000_conversations(business, client, key):
    business.add_conversations(10_000)
    seen: list[str] = []
    activity: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "200", **({"cursor": cursor} if cursor else {})}
        page = client.get("/conversations", params=params, headers=bearer(key)).json()
        seen += [r["id"] for r in page["data"]]
        activity += [r["last_message_at"] for r in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 50 and len(seen) == len(set(seen)) == 10_000
    assert activity == sorted(activity, reverse=True)

    conversation = seen[0]
    business.sql(
        """
        INSERT INTO messages (id, organization_id, conversation_id, direction, content,
                              platform_timestamp)
        SELECT 'more-' || n, :org, :c, 'INBOUND', 'line ' || n, now() - n * interval '1 second'
        FROM generate_series(1, 120) AS n
        """,
        org=business.organization_id,
        c=conversation,
    )
    said: list[str] = []
    cursor = None
    while True:
        params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
        page = client.get(
            f"/conversations/{conversation}/messages", params=params, headers=bearer(key)
        ).json()
        said += [m["id"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(said) == len(set(said)) == 121


def test_the_assignee_filter_and_field(business, client, key):
    """#18's ``assignee`` filter (#17.2): a member's conversations, or none for
    the unassigned ones, combined with the others; each conversation names its
    ``assignee_user_id``; and the OpenAPI document says both."""
    business.add_conversations(4, Platform.WHATSAPP, unread=1)
    ids = [f"c{n:024d}" for n in range(4)]
    with unit_of_work(business.sessions) as session:
        bo = orgs.create_user(session, email="bo@example.com", name="Bo")
        orgs.add_member(session, organization_id=business.organization_id, user_id=bo)
        assignments.assign(session, business.organization_id, ids[0], bo)
        assignments.assign(session, business.organization_id, ids[1], bo)
        assignments.assign(session, business.organization_id, ids[2], business.owner_id)
    auth = bearer(key)

    def listed(**params: str) -> list[tuple[str, str | None]]:
        response = client.get("/conversations", params=params, headers=auth)
        assert response.status_code == 200, response.text
        return [(r["id"], r["assignee_user_id"]) for r in response.json()["data"]]

    assert sorted(listed(assignee=bo)) == sorted([(ids[0], bo), (ids[1], bo)])
    assert listed(assignee=business.owner_id) == [(ids[2], business.owner_id)]
    assert listed(assignee="none") == [(ids[3], None)]
    assert listed(assignee="someone-else") == []
    assert listed(assignee=bo, q="customer 1") == [(ids[1], bo)]
    assert len(listed(assignee=bo, limit="1")) == 1
    one = client.get(f"/conversations/{ids[0]}", headers=auth).json()
    assert one["assignee_user_id"] == bo
    bad = client.get("/conversations", params={"assignee": " "}, headers=auth)
    assert _problem(bad, 400)["detail"] == (
        "assignee must be a member's user id, or none for unassigned ones."
    )
    document = client.get("/openapi.json").json()
    listing = document["paths"]["/conversations"]["get"]["parameters"]
    assert "assignee" in {p["name"] for p in listing}
    schema = document["components"]["schemas"]["Conversation"]["properties"]
    assert "assignee_user_id" in schema
