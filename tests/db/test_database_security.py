"""The database is the wall (#13): every kind of login against every tenant table
and verb, in its own organisation and the other one, and the role rules'
functions, including the attacks the issue reports.

Each case runs in a transaction that is rolled back, on a real connection
logged in as that login with its own password.  ``EXPECTED`` is the seed's
role table; the run prints how many cases were allowed and denied and
requires no case to differ from it (no unexpected allow, no unexpected deny).
"""

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import sql
from sqlalchemy.engine import URL

from snorq_desktop.domain.enums import PlanType
from snorq_desktop.secrets.licence import issue_licence
from snorq_desktop.secrets.member_login import new_password, scram_verifier

A, B = "org_a", "org_b"
M, AD, OW = "MEMBER", "ADMIN", "OWNER"
_RANK = {M: 0, AD: 1, OW: 2}
VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE")


def _conninfo(url: URL, user: str | None = None, password: str | None = None) -> str:
    if user is not None:
        url = url.set(username=user, password=password)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _new() -> str:
    return uuid.uuid4().hex


@dataclass
class Login:
    kind: str
    name: str
    password: str
    home: str  # the organisation the login's "own" cases are about
    user_id: str | None
    role: str | None  # in its home organisation
    connection: psycopg.Connection[Any] | None = None


@dataclass
class World:
    url: URL
    admin: psycopg.Connection[Any]
    users: dict[str, str] = field(default_factory=dict)  # owner_a, … → user id
    logins: dict[str, Login] = field(default_factory=dict)


def _redeem(url: URL, login: str, password: str, code_hash: str, email: str) -> str:
    """As the invite's own login (its first password), then a password of its own."""
    final = new_password()
    with psycopg.connect(_conninfo(url, login, password), autocommit=True) as joining:
        joining.execute(
            "SELECT * FROM snorq_redeem_invite(%s, NULL, %s, %s, %s, NULL, %s)",
            (code_hash, email, f"google-{email}", email.split("@")[0], scram_verifier(final)),
        )
    return final


def _invite(world: World, owner: str, org: str, email: str, role: str) -> tuple[str, str]:
    first = new_password()
    code_hash = hashlib.sha256(email.encode()).hexdigest()
    login = world.admin.execute(
        "SELECT snorq_create_invite(%s, %s, %s, %s, %s, %s, NULL, now() + interval '1 day', %s)",
        (world.users[owner], _new(), org, email, role, code_hash, scram_verifier(first)),
    ).fetchone()
    assert login is not None and login[0].startswith("snorq_member_")
    return login[0], _redeem(world.url, login[0], first, code_hash, email)


def _rows(world: World) -> None:
    """One of everything in each organisation, written as the administrator."""
    run = world.admin.execute
    for org in (A, B):
        x = org[-1]
        run(
            "INSERT INTO platform_connections (id, platform, platform_user_id, access_token, "
            "organization_id) VALUES (%s, 'WHATSAPP', %s, %s, %s)",
            (f"conn_{x}", f"acct_{x}", f"sealed-token-of-{x}", org),
        )
        run(
            "INSERT INTO conversations (id, platform, external_id, contact_external_id, "
            "organization_id, platform_connection_id) VALUES (%s, 'WHATSAPP', %s, 'c', %s, %s)",
            (f"conv_{x}", f"ext_{x}", org, f"conn_{x}"),
        )
        for message in (f"msg_{x}", f"msg2_{x}"):
            run(
                "INSERT INTO messages (id, direction, content, conversation_id, organization_id) "
                "VALUES (%s, 'INBOUND', %s, %s, %s)",
                (message, f"secret words of {x}", f"conv_{x}", org),
            )
        run(
            "INSERT INTO attachments (message_id, file_name, mime_type, size_bytes) "
            "VALUES (%s, 'f.png', 'image/png', 1)",
            (f"msg_{x}",),
        )
        for label in (f"lab_{x}", f"lab2_{x}"):
            run(
                "INSERT INTO labels (id, name, organization_id) VALUES (%s, %s, %s)",
                (label, label, org),
            )
        run(
            "INSERT INTO conversation_labels (conversation_id, label_id) VALUES (%s, %s)",
            (f"conv_{x}", f"lab_{x}"),
        )
        run(
            "INSERT INTO notes (id, content, organization_id, conversation_id, author_id) "
            "VALUES (%s, 'n', %s, %s, %s)",
            (f"note_{x}", org, f"conv_{x}", world.users[f"owner_{x}"]),
        )
        run(
            "INSERT INTO platform_apps (id, organization_id, provider, app_secret) "
            "VALUES (%s, %s, 'META', 'sealed')",
            (f"app_{x}", org),
        )
        run(
            "INSERT INTO invites (id, organization_id, email, role, code_hash, expires_at) "
            "VALUES (%s, %s, %s, 'MEMBER', %s, now() - interval '1 day')",
            (f"inv_{x}", org, f"late@{x}.test", _new()),
        )
        run(
            "INSERT INTO daily_analytics (id, date, organization_id) VALUES (%s, '2026-01-01', %s)",
            (f"da_{x}", org),
        )
        run(
            "INSERT INTO daily_platform_analytics (id, date, organization_id, platform) "
            "VALUES (%s, '2026-01-01', %s, 'WHATSAPP')",
            (f"dpa_{x}", org),
        )
        run(
            "INSERT INTO analytics_pending (id, organization_id, conversation_id, first_at, "
            "last_at) VALUES (%s, %s, %s, now(), now())",
            (1000 + ord(x), org, f"conv_{x}"),
        )
        run(
            "INSERT INTO conversation_day_analytics (organization_id, date, conversation_id, "
            "platform, messages_received, messages_sent, conversations_new, responses, "
            "response_seconds) VALUES (%s, '2026-01-01', %s, 'WHATSAPP', 1, 0, 1, 0, 0)",
            (org, f"conv_{x}"),
        )
        run(
            "INSERT INTO history_retention (id, organization_id) VALUES (%s, %s)",
            (f"hr_{x}", org),
        )
        run(
            "INSERT INTO quick_replies (id, organization_id, shortcut, text, created_by) "
            "VALUES (%s, %s, 'price', %s, %s)",
            (f"qr_{x}", org, f"the prices of {x}", world.users[f"owner_{x}"]),
        )
        run(
            "INSERT INTO business_hours (organization_id, time_zone, week, away_on, away_text) "
            "VALUES (%s, 'Europe/Lisbon', '[null,null,null,null,null,null,null]', true, %s)",
            (org, f"closed, says {x}"),
        )
        run(
            "INSERT INTO automatic_replies (id, organization_id, conversation_id, kind, "
            "period_start, message_id) VALUES (%s, %s, %s, 'AWAY', '2026-01-01', %s)",
            (f"ar_{x}", org, f"conv_{x}", f"msg_{x}"),
        )
        run(
            "INSERT INTO licences (id, organization_id, licence_id, plan, seats, issued_at, "
            "expires_at, text) VALUES (%s, %s, %s, 'PRO', 3, now(), now() + interval '1 year', "
            "'snorq-licence-v1.x.y')",
            (f"lic_{x}", org, f"lic_{x}"),
        )
        run(
            "INSERT INTO work_leases (organization_id, name, holder, expires_at) "
            "VALUES (%s, %s, 'an-app', now())",
            (org, f"connection:conn_{x}"),
        )
        run(
            "INSERT INTO webhook_events (id, source, dedupe_key, body, processed_at) "
            "VALUES (%s, 'meta', %s, %s, now())",
            (f"ev_{x}", _new(), _meta_body(f"acct_{x}")),
        )


def _meta_body(account: str) -> bytes:
    return (
        b'{"object":"whatsapp_business_account","entry":[{"id":"waba","changes":[{"value":'
        b'{"metadata":{"phone_number_id":"' + account.encode() + b'"}}}]}]}'
    )


@pytest.fixture
def world(database_url: URL) -> Iterator[World]:
    with psycopg.connect(_conninfo(database_url), autocommit=True) as admin:
        w = World(database_url, admin)
        for name in ("owner_a", "admin_a", "member_a", "owner_b", "member_b", "removed_b"):
            w.users[name] = name + "_id"
            admin.execute(
                "INSERT INTO users (id, email, google_id) VALUES (%s, %s, %s)",
                (name + "_id", f"{name}@shop.test", f"google-{name}@shop.test"),
            )
        for org, owner in ((A, "owner_a"), (B, "owner_b")):
            admin.execute(
                "SELECT snorq_create_organization(%s, %s, %s, %s)",
                (w.users[owner], org, f"Shop {org}", org.replace("_", "-")),
            )
            admin.execute("UPDATE organizations SET plan = 'PRO' WHERE id = %s", (org,))
            password = new_password()
            issued = admin.execute(
                "SELECT snorq_issue_login(%s, %s)", (w.users[owner], scram_verifier(password))
            ).fetchone()
            assert issued is not None
            w.logins[owner] = Login(owner, issued[0], password, org, w.users[owner], OW)
        for name, owner, org, role in (
            ("admin_a", "owner_a", A, AD),
            ("member_a", "owner_a", A, M),
            ("member_b", "owner_b", B, M),
            ("removed_b", "owner_b", B, M),
        ):
            made, password = _invite(w, owner, org, f"{name}@shop.test", role)
            w.logins[name] = Login(name, made, password, org, w.users[name], role)
        relay_password = new_password()
        admin.execute(
            sql.SQL("ALTER ROLE snorq_relay LOGIN PASSWORD {}").format(sql.Literal(relay_password))
        )
        w.logins["relay"] = Login("relay", "snorq_relay", relay_password, A, None, None)
        _rows(w)
        for each in w.logins.values():
            each.connection = psycopg.connect(_conninfo(database_url, each.name, each.password))
        # The removed member's app is still open when the owner removes them.
        owner_b = w.logins["owner_b"].connection
        assert owner_b is not None
        owner_b.execute(
            "SELECT snorq_remove_member(%s, %s, %s)", (w.users["owner_b"], B, w.users["removed_b"])
        )
        owner_b.commit()
        try:
            yield w
        finally:
            for each in w.logins.values():
                if each.connection is not None:
                    each.connection.close()
            admin.execute("ALTER ROLE snorq_relay NOLOGIN PASSWORD NULL")


# --- the cases ---------------------------------------------------------------------------

Statement = tuple[str, tuple[Any, ...]]


def _targets(login: Login, world: World, scope: str) -> dict[str, Any]:
    """The row of each table the case aims at: in the login's organisation or the other."""
    org = login.home if scope == "own" else (B if login.home == A else A)
    x = org[-1]
    other_owner = "owner_b" if org == A else "owner_a"
    mine = login.user_id if scope == "own" and login.user_id else world.users[f"owner_{x}"]
    own_login = login.name if scope == "own" else world.logins[other_owner].name
    return {"org": org, "x": x, "user": mine, "login": own_login}


def _insert(table: str, t: dict[str, Any], world: World) -> Statement:
    org, x, new = t["org"], t["x"], _new()
    statements: dict[str, Statement] = {
        "users": ("INSERT INTO users (id, email) VALUES (%s, %s)", (new, f"{new}@x.test")),
        "organizations": (
            "INSERT INTO organizations (id, name, slug, owner_id) VALUES (%s, 'n', %s, %s)",
            (new, new, t["user"]),
        ),
        "organization_members": (
            "INSERT INTO organization_members (id, organization_id, user_id, role) "
            "VALUES (%s, %s, %s, 'ADMIN')",
            (new, org, world.users["member_a"] if org == B else world.users["member_b"]),
        ),
        "platform_connections": (
            "INSERT INTO platform_connections (id, platform, platform_user_id, access_token, "
            "organization_id) VALUES (%s, 'TIKTOK', %s, 't', %s)",
            (new, new, org),
        ),
        "conversations": (
            "INSERT INTO conversations (id, platform, external_id, contact_external_id, "
            "organization_id, platform_connection_id) VALUES (%s, 'WHATSAPP', %s, 'c', %s, %s)",
            (new, new, org, f"conn_{x}"),
        ),
        "messages": (
            "INSERT INTO messages (id, direction, conversation_id, organization_id) "
            "VALUES (%s, 'OUTBOUND', %s, %s)",
            (new, f"conv_{x}", org),
        ),
        "attachments": (
            "INSERT INTO attachments (message_id, file_name, mime_type, size_bytes) "
            "VALUES (%s, 'g', 'text/plain', 1)",
            (f"msg2_{x}",),
        ),
        "labels": (
            "INSERT INTO labels (id, name, organization_id) VALUES (%s, %s, %s)",
            (new, new, org),
        ),
        "conversation_labels": (
            "INSERT INTO conversation_labels (conversation_id, label_id) VALUES (%s, %s)",
            (f"conv_{x}", f"lab2_{x}"),
        ),
        "notes": (
            "INSERT INTO notes (id, content, organization_id, conversation_id, author_id) "
            "VALUES (%s, 'hi', %s, %s, %s)",
            (new, org, f"conv_{x}", t["user"]),
        ),
        "platform_apps": (
            "INSERT INTO platform_apps (id, organization_id, provider) VALUES (%s, %s, 'TIKTOK')",
            (new, org),
        ),
        "invites": (
            "INSERT INTO invites (id, organization_id, email, role, code_hash, expires_at) "
            "VALUES (%s, %s, 'a@b.c', 'ADMIN', %s, now() + interval '1 day')",
            (new, org, new),
        ),
        "daily_analytics": (
            "INSERT INTO daily_analytics (id, date, organization_id) VALUES (%s, '2026-02-02', %s)",
            (new, org),
        ),
        "daily_platform_analytics": (
            "INSERT INTO daily_platform_analytics (id, date, organization_id, platform) "
            "VALUES (%s, '2026-02-02', %s, 'TIKTOK')",
            (new, org),
        ),
        "analytics_pending": (
            "INSERT INTO analytics_pending (organization_id, conversation_id, first_at, last_at) "
            "VALUES (%s, %s, now(), now())",
            (org, f"conv_{x}"),
        ),
        "conversation_day_analytics": (
            "INSERT INTO conversation_day_analytics (organization_id, date, conversation_id, "
            "platform, messages_received, messages_sent, conversations_new, responses, "
            "response_seconds) VALUES (%s, '2026-02-02', %s, 'TIKTOK', 1, 0, 0, 0, 0)",
            (org, f"conv_{x}"),
        ),
        "history_retention": (
            # the organisation has its row already: the app's upsert (retention.py)
            "INSERT INTO history_retention (id, organization_id) VALUES (%s, %s) "
            "ON CONFLICT (organization_id) DO UPDATE SET warned_at = now()",
            (new, org),
        ),
        "webhook_events": (
            "INSERT INTO webhook_events (id, source, dedupe_key, body) VALUES (%s, 'meta', %s, %s)",
            (new, new, _meta_body(f"acct_{x}")),
        ),
        "work_leases": (
            "INSERT INTO work_leases (organization_id, name, holder, expires_at) "
            "VALUES (%s, %s, 'app', now())",
            (org, new),
        ),
        "quick_replies": (
            "INSERT INTO quick_replies (id, organization_id, shortcut, text, created_by) "
            "VALUES (%s, %s, %s, 'Hello {name}', %s)",
            (new, org, new[:30], t["user"]),
        ),
        "assignment_count_changes": (
            "INSERT INTO assignment_count_changes (organization_id, assignee_user_id, "
            "conversations) VALUES (%s, NULL, 0)",
            (org,),
        ),
        # one row per organisation: an owner or admin writes it over
        "business_hours": (
            "INSERT INTO business_hours (organization_id, time_zone, week) "
            "VALUES (%s, 'UTC', '[null,null,null,null,null,null,null]') "
            "ON CONFLICT (organization_id) DO UPDATE SET time_zone = EXCLUDED.time_zone",
            (org,),
        ),
        "automatic_replies": (
            "INSERT INTO automatic_replies (id, organization_id, conversation_id, kind, "
            "period_start) VALUES (%s, %s, %s, 'GREETING', now())",
            (new, org, f"conv_{x}"),
        ),
        "member_logins": (
            "INSERT INTO member_logins (login, user_id) VALUES (%s, %s)",
            (new, t["user"]),
        ),
        "licences": (
            "INSERT INTO licences (id, organization_id, licence_id, plan, seats, issued_at, "
            "expires_at, text) VALUES (%s, %s, %s, 'BUSINESS', 4, now(), "
            "now() + interval '1 year', 'snorq-licence-v1.x.y')",
            (new, org, new),
        ),
    }
    return statements[table]


# table → (key column, target id in organisation x, a column to write back unchanged)
_ROW: dict[str, tuple[str, Callable[[dict[str, Any]], Any], str]] = {
    "users": ("id", lambda t: t["user"], "name"),
    "organizations": ("id", lambda t: t["org"], "name"),
    "organization_members": ("organization_id", lambda t: t["org"], "role"),
    "platform_connections": ("id", lambda t: f"conn_{t['x']}", "last_sync_at"),
    "conversations": ("id", lambda t: f"conv_{t['x']}", "unread_count"),
    "messages": ("id", lambda t: f"msg_{t['x']}", "status"),
    "attachments": ("message_id", lambda t: f"msg_{t['x']}", "problem"),
    "labels": ("id", lambda t: f"lab_{t['x']}", "color"),
    "conversation_labels": ("conversation_id", lambda t: f"conv_{t['x']}", "label_id"),
    "notes": ("id", lambda t: f"note_{t['x']}", "content"),
    "platform_apps": ("id", lambda t: f"app_{t['x']}", "app_id"),
    "invites": ("id", lambda t: f"inv_{t['x']}", "email"),
    "daily_analytics": ("id", lambda t: f"da_{t['x']}", "messages_sent"),
    "daily_platform_analytics": ("id", lambda t: f"dpa_{t['x']}", "messages_sent"),
    "analytics_pending": ("organization_id", lambda t: t["org"], "last_at"),
    "conversation_day_analytics": ("conversation_id", lambda t: f"conv_{t['x']}", "responses"),
    "history_retention": ("id", lambda t: f"hr_{t['x']}", "warned_at"),
    "webhook_events": ("id", lambda t: f"ev_{t['x']}", "error"),
    "work_leases": ("organization_id", lambda t: t["org"], "holder"),
    "quick_replies": ("id", lambda t: f"qr_{t['x']}", "text"),
    # a row per organisation from the start: the trigger counted its open conversation
    "assignment_count_changes": ("organization_id", lambda t: t["org"], "conversations"),
    "business_hours": ("organization_id", lambda t: t["org"], "away_text"),
    "automatic_replies": ("id", lambda t: f"ar_{t['x']}", "kind"),
    "member_logins": ("login", lambda t: t["login"], "created_at"),
    "licences": ("id", lambda t: f"lic_{t['x']}", "expires_at"),
}
TABLES = tuple(_ROW)

# The seed's role table for a login's own organisation: the least role that may
# use each verb (absent: nobody, whatever their role).
_MEMBER_WRITES = {"SELECT": M, "INSERT": M, "UPDATE": M, "DELETE": AD}
_ALL = {"SELECT": M, "INSERT": M, "UPDATE": M, "DELETE": M}
EXPECTED: dict[str, dict[str, str]] = {
    "users": {"SELECT": M, "UPDATE": M},  # teammates visible; one's own row editable
    "organizations": {"SELECT": M, "UPDATE": AD, "DELETE": OW},
    "organization_members": {"SELECT": M},  # changes only through the functions
    "platform_connections": {"SELECT": M, "UPDATE": M, "INSERT": AD, "DELETE": AD},
    "platform_apps": {"SELECT": M, "INSERT": AD, "UPDATE": AD, "DELETE": AD},
    "conversations": _MEMBER_WRITES,
    "messages": _MEMBER_WRITES,
    "attachments": _MEMBER_WRITES,
    "labels": {"SELECT": M, "INSERT": M, "UPDATE": AD, "DELETE": AD},
    "conversation_labels": _ALL,
    # the note aimed at is the owner's: only its author edits it, a manager removes it
    "notes": {"SELECT": M, "INSERT": M, "UPDATE": OW, "DELETE": AD},
    "invites": {"SELECT": AD},  # made, cancelled and used only through the functions
    "daily_analytics": _ALL,
    "daily_platform_analytics": _ALL,
    "analytics_pending": _ALL,
    "conversation_day_analytics": _ALL,  # each conversation's day, kept by the rollup (0029)
    "history_retention": {"SELECT": M, "INSERT": M, "UPDATE": M},
    "webhook_events": {"SELECT": M, "UPDATE": M, "DELETE": M},  # its accounts' events only
    "work_leases": _ALL,  # every member's app syncs (0017_work_leases)
    "quick_replies": _ALL,  # the team's saved answers: every member manages them (0020)
    "assignment_count_changes": _ALL,  # written by the trigger as whoever assigns (0023)
    # a setting like the organisation's own: read by all, changed by a manager (0027)
    "business_hours": {"SELECT": M, "INSERT": AD, "UPDATE": AD, "DELETE": AD},
    # any member's app may hold the lease and queue one; a key is never changed (0027)
    "automatic_replies": {"SELECT": M, "INSERT": M},
    "member_logins": {},
    "licences": {"SELECT": M},  # every app checks it; entered only through the function
}


def expected(login: Login, table: str, verb: str, scope: str) -> bool:
    if login.kind == "relay":
        return table == "webhook_events" and verb == "INSERT"
    if login.kind.startswith("removed") or scope == "foreign" or verb == "TRUNCATE":
        return False
    least = EXPECTED[table].get(verb)
    assert login.role is not None
    return least is not None and _RANK[login.role] >= _RANK[least]


def _attempt(connection: psycopg.Connection[Any], statement: Statement) -> bool:
    """Whether the statement did what it asked (rows seen or changed), rolled back after."""
    try:
        with connection.transaction(force_rollback=True):
            cursor = connection.execute(*statement)
            if cursor.description is not None and statement[0].startswith("SELECT"):
                return len(cursor.fetchall()) > 0
            return statement[0].startswith("TRUNCATE") or cursor.rowcount > 0
    except psycopg.Error:
        return False


def _statement(table: str, verb: str, t: dict[str, Any], world: World) -> Statement:
    key, target, column = _ROW[table]
    if verb == "INSERT":
        return _insert(table, t, world)
    if verb == "TRUNCATE":
        return (f"TRUNCATE {table} CASCADE", ())
    where = f"WHERE {key} = %s"
    if verb == "SELECT":
        return (f"SELECT * FROM {table} {where}", (target(t),))
    if verb == "UPDATE":
        return (f"UPDATE {table} SET {column} = {column} {where}", (target(t),))
    return (f"DELETE FROM {table} {where}", (target(t),))


def test_every_login_against_every_table_and_verb(world: World) -> None:
    cases = allowed = denied = 0
    unexpected_allows: list[str] = []
    unexpected_denials: list[str] = []
    for login in world.logins.values():
        assert login.connection is not None
        for table in TABLES:
            for verb in (*VERBS, "TRUNCATE"):
                for scope in ("own",) if verb == "TRUNCATE" else ("own", "foreign"):
                    t = _targets(login, world, scope)
                    did = _attempt(login.connection, _statement(table, verb, t, world))
                    should = expected(login, table, verb, scope)
                    cases += 1
                    allowed += did
                    denied += not did
                    case = f"{login.kind} {verb} {table} ({scope} organisation)"
                    if did and not should:
                        unexpected_allows.append(case)
                    if should and not did:
                        unexpected_denials.append(case)
    print(
        f"\nmatrix: {cases} cases, {allowed} allowed, {denied} denied, "
        f"{len(unexpected_allows)} unexpected allows, {len(unexpected_denials)} unexpected denials"
    )
    assert cases == len(world.logins) * len(TABLES) * 9
    assert unexpected_allows == []
    assert unexpected_denials == [], "\n".join(unexpected_denials)


# --- the role rules' functions and the issue's attacks --------------------------------------


def _call(world: World, kind: str, query: str, *args: Any) -> bool:
    connection = world.logins[kind].connection
    assert connection is not None
    return _attempt(connection, (query, args))


def _function_cases(world: World) -> list[tuple[str, str, str, tuple[Any, ...], bool]]:
    u = world.users
    role = "SELECT snorq_change_role(%s, %s, %s, %s)"
    remove = "SELECT snorq_remove_member(%s, %s, %s)"
    transfer = "SELECT snorq_transfer_ownership(%s, %s, %s)"
    plan = "SELECT snorq_change_plan(%s, %s, %s)"
    invite = (
        "SELECT snorq_create_invite(%s, %s, %s, %s, %s, %s, NULL, now() + interval '1 day', %s)"
    )
    verifier = scram_verifier(new_password())
    activate = "SELECT snorq_activate_licence(%s, %s, %s)"
    key = Ed25519PrivateKey.generate()  # the database checks all but the signature

    def licence(org: str, plan: PlanType = PlanType.BUSINESS) -> str:
        return issue_licence(key, organization_id=org, organization_slug=org, plan=plan)

    return [
        # A MEMBER making himself OWNER, directly or through the functions.
        (
            "member_a",
            "demote the owner and promote himself in one transaction",
            "UPDATE organization_members SET role = CASE WHEN role = 'OWNER' THEN 'MEMBER' "
            "ELSE 'OWNER' END::\"MemberRole\" WHERE organization_id = %s",
            (A,),
            False,
        ),
        ("member_a", "promote himself", role, (u["member_a"], A, u["member_a"], OW), False),
        (
            "member_a",
            "promote himself to ADMIN",
            role,
            (u["member_a"], A, u["member_a"], AD),
            False,
        ),
        ("member_a", "demote the owner", role, (u["member_a"], A, u["owner_a"], M), False),
        ("member_a", "act as the owner", role, (u["owner_a"], A, u["member_a"], AD), False),
        ("admin_a", "make a member OWNER", role, (u["admin_a"], A, u["member_a"], OW), False),
        ("admin_a", "demote the owner", role, (u["admin_a"], A, u["owner_a"], AD), False),
        ("admin_a", "make a member ADMIN", role, (u["admin_a"], A, u["member_a"], AD), True),
        ("owner_a", "make an admin a MEMBER", role, (u["owner_a"], A, u["admin_a"], M), True),
        (
            "owner_b",
            "change a role in another shop",
            role,
            (u["owner_b"], A, u["member_a"], AD),
            False,
        ),
        # Joining another organisation as ADMIN.
        (
            "member_a",
            "join shop B as ADMIN",
            "INSERT INTO organization_members (id, organization_id, user_id, role) "
            "VALUES ('x', %s, %s, 'ADMIN')",
            (B, u["member_a"]),
            False,
        ),
        (
            "member_a",
            "invite himself into shop B",
            invite,
            (u["member_a"], _new(), B, "member_a@shop.test", AD, _new(), verifier),
            False,
        ),
        (
            "member_a",
            "invite someone",
            invite,
            (u["member_a"], _new(), A, "new@shop.test", M, _new(), verifier),
            False,
        ),
        (
            "admin_a",
            "invite an OWNER",
            invite,
            (u["admin_a"], _new(), A, "new@shop.test", OW, _new(), verifier),
            False,
        ),
        # Seats: shop A (PRO, 3 seats) is full.
        (
            "owner_a",
            "invite beyond the plan's seats",
            invite,
            (u["owner_a"], _new(), A, "new@shop.test", M, _new(), verifier),
            False,
        ),
        (
            "owner_b",
            "invite into a free seat",
            invite,
            (u["owner_b"], _new(), B, "new@shop.test", M, _new(), verifier),
            True,
        ),
        # The plan.
        (
            "member_a",
            "set the plan to BUSINESS directly",
            "UPDATE organizations SET plan = 'BUSINESS' WHERE id = %s",
            (A,),
            False,
        ),
        (
            "owner_a",
            "set the plan directly (bypassing the seat check)",
            "UPDATE organizations SET plan = 'FREE' WHERE id = %s",
            (A,),
            False,
        ),
        ("member_a", "set the plan to BUSINESS", plan, (u["member_a"], A, "BUSINESS"), False),
        ("admin_a", "set the plan to BUSINESS", plan, (u["admin_a"], A, "BUSINESS"), False),
        ("member_a", "set shop B's plan to BUSINESS", plan, (u["member_a"], B, "BUSINESS"), False),
        # Since 0014 the plan follows a licence: not even the owner sets it by hand.
        ("owner_a", "set the plan to BUSINESS", plan, (u["owner_a"], A, "BUSINESS"), False),
        ("owner_a", "go FREE with 3 members", plan, (u["owner_a"], A, "FREE"), False),
        ("owner_a", "enter a licence", activate, (u["owner_a"], A, licence(A)), True),
        ("admin_a", "enter a licence", activate, (u["admin_a"], A, licence(A)), False),
        ("member_a", "enter a licence", activate, (u["member_a"], A, licence(A)), False),
        ("owner_b", "enter a licence into shop A", activate, (u["owner_b"], A, licence(A)), False),
        ("owner_a", "enter shop B's licence", activate, (u["owner_a"], A, licence(B)), False),
        (
            "owner_a",
            "enter a licence that is not one",
            activate,
            (u["owner_a"], A, "snorq-licence-v1.bm90IGpzb24.c2ln"),
            False,
        ),
        (
            "member_a",
            "set the plan through a licence row",
            "INSERT INTO licences (id, organization_id, licence_id, plan, seats, issued_at, "
            "expires_at, text) VALUES ('l', %s, 'l', 'BUSINESS', 4, now(), now() + interval "
            "'1 day', 'x')",
            (A,),
            False,
        ),
        # Ownership.
        ("admin_a", "take ownership", transfer, (u["admin_a"], A, u["admin_a"]), False),
        ("member_a", "take ownership", transfer, (u["member_a"], A, u["member_a"]), False),
        ("owner_a", "hand on ownership", transfer, (u["owner_a"], A, u["admin_a"]), True),
        ("owner_a", "hand shop A to a stranger", transfer, (u["owner_a"], A, u["owner_b"]), False),
        (
            "owner_a",
            "set the owner directly",
            "UPDATE organizations SET owner_id = %s WHERE id = %s",
            (u["admin_a"], A),
            False,
        ),
        # Members.
        ("member_a", "remove the admin", remove, (u["member_a"], A, u["admin_a"]), False),
        ("admin_a", "remove the owner", remove, (u["admin_a"], A, u["owner_a"]), False),
        ("admin_a", "remove a member", remove, (u["admin_a"], A, u["member_a"]), True),
        ("member_a", "leave", remove, (u["member_a"], A, u["member_a"]), True),
        ("member_b", "remove someone in shop A", remove, (u["member_b"], A, u["member_a"]), False),
        (
            "member_a",
            "delete another member's row directly",
            "DELETE FROM organization_members WHERE organization_id = %s",
            (A,),
            False,
        ),
        # Another organisation's messages and sealed tokens.
        (
            "member_a",
            "read shop B's messages",
            "SELECT content FROM messages WHERE organization_id = %s",
            (B,),
            False,
        ),
        (
            "member_a",
            "read shop B's sealed tokens",
            "SELECT access_token FROM platform_connections WHERE organization_id = %s",
            (B,),
            False,
        ),
        (
            "member_a",
            "read every message there is",
            "SELECT content FROM messages WHERE organization_id <> %s",
            (A,),
            False,
        ),
        (
            "member_a",
            "ask which shops another login is in",
            "SELECT 1 WHERE cardinality(snorq_organizations_of(%s)) > 0",
            (world.logins["owner_b"].name,),
            False,
        ),
        (
            "member_a",
            "read the member logins",
            "SELECT * FROM member_logins WHERE login <> %s",
            ("",),
            False,
        ),
        ("member_a", "list shop B's logins", "SELECT * FROM snorq_member_logins(%s)", (B,), False),
        (
            "member_a",
            "search shop B's messages through the search function",
            "SELECT * FROM snorq_search_candidates(%s, 'secret', 10)",
            (B,),
            False,
        ),
        (
            "member_b",
            "search his own shop's messages",
            "SELECT * FROM snorq_search_candidates(%s, 'secret', 10)",
            (B,),
            True,
        ),
        ("owner_a", "list shop A's logins", "SELECT * FROM snorq_member_logins(%s)", (A,), True),
        (
            "member_a",
            "issue himself a second login",
            "SELECT snorq_issue_login(%s, %s)",
            (u["member_a"], verifier),
            False,
        ),
        (
            "member_a",
            "call an internal helper",
            "SELECT snorq_drop_login(%s)",
            (world.logins["owner_a"].name,),
            False,
        ),
        # Destroying messages.
        (
            "member_a",
            "DELETE messages",
            "DELETE FROM messages WHERE organization_id = %s",
            (A,),
            False,
        ),
        ("member_a", "TRUNCATE messages", "TRUNCATE messages", (), False),
        ("member_a", "DROP messages", "DROP TABLE messages", (), False),
        ("owner_a", "DROP messages", "DROP TABLE messages", (), False),
        ("owner_a", "DROP a policy", "DROP POLICY messages_read ON messages", (), False),
        (
            "owner_a",
            "switch row-level security off",
            "ALTER TABLE messages DISABLE ROW LEVEL SECURITY",
            (),
            False,
        ),
        (
            "member_a",
            "become another member",
            f"SET ROLE {world.logins['owner_a'].name}",
            (),
            False,
        ),
        ("member_a", "become the owner role", "SET ROLE snorq_owner", (), False),
        ("relay", "read webhook events", "SELECT * FROM webhook_events", (), False),
        ("relay", "read messages", "SELECT * FROM messages", (), False),
        ("relay", "notify the apps", "SELECT pg_notify('snorq_webhook', 'x')", (), True),
        (
            "removed_b",
            "read shop B's messages still",
            "SELECT * FROM messages WHERE organization_id = %s",
            (B,),
            False,
        ),
        ("removed_b", "rejoin", role, (u["removed_b"], B, u["removed_b"], M), False),
    ]


def test_role_rules_and_the_issues_attacks(world: World) -> None:
    unexpected: list[str] = []
    cases = allowed = 0
    for kind, what, query, args, should in _function_cases(world):
        did = _call(world, kind, query, *args)
        cases += 1
        allowed += did
        if did != should:
            unexpected.append(f"{kind} tried to {what}: {'allowed' if did else 'denied'}")
    print(
        f"\nfunctions: {cases} cases, {allowed} allowed, {cases - allowed} denied, "
        f"{len(unexpected)} unexpected"
    )
    assert unexpected == []


def test_a_removed_member_can_no_longer_log_in(world: World) -> None:
    removed = world.logins["removed_b"]
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_conninfo(world.url, removed.name, removed.password)).close()
    gone = world.admin.execute(
        "SELECT count(*) FROM member_logins WHERE login = %s", (removed.name,)
    ).fetchone()
    assert gone == (0,)


def test_an_invite_code_opens_its_login_once(world: World) -> None:
    first = new_password()
    code_hash = _new()
    login = world.admin.execute(
        "SELECT snorq_create_invite(%s, %s, %s, 'late@shop.test', 'MEMBER', %s, NULL, "
        "now() + interval '1 day', %s)",
        (world.users["owner_b"], _new(), B, code_hash, scram_verifier(first)),
    ).fetchone()
    assert login is not None
    with psycopg.connect(_conninfo(world.url, login[0], first)) as before:
        # Before it is used, the invite's login sees nothing at all.
        assert before.execute("SELECT count(*) FROM messages").fetchone() == (0,)
        assert before.execute("SELECT count(*) FROM users").fetchone() == (0,)
    _redeem(world.url, login[0], first, code_hash, "late@shop.test")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(_conninfo(world.url, login[0], first)).close()


def test_public_has_nothing(world: World) -> None:
    granted = world.admin.execute(
        """
        SELECT count(*) FROM (
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                   aclexplode(COALESCE(c.relacl, acldefault('r', c.relowner))) a
             WHERE n.nspname = 'public' AND a.grantee = 0
            UNION ALL
            SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
                   aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a
             WHERE n.nspname = 'public' AND a.grantee = 0
            UNION ALL
            SELECT n.nspname FROM pg_namespace n,
                   aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
             WHERE n.nspname = 'public' AND a.grantee = 0
        ) public_grants
        """
    ).fetchone()
    assert granted == (0,)
    owners = world.admin.execute(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
    ).fetchall()
    assert owners == [("snorq_owner",)]
    unforced = world.admin.execute(
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT (c.relrowsecurity AND "
        "c.relforcerowsecurity) AND c.relname NOT IN ('member_logins', 'alembic_version') "
        "ORDER BY 1"
    ).fetchall()
    assert unforced == []


def test_a_draft_is_its_writers_alone(world: World) -> None:
    """Reply drafts (migration 0011) are one person's: no teammate, not even the
    owner, and no other organisation reads or changes them."""
    admin = world.admin
    for name, conversation in (
        ("member_a", "conv_a"),
        ("owner_a", "conv_a"),
        ("member_b", "conv_b"),
    ):
        login = world.logins[name]
        admin.execute(
            "INSERT INTO reply_drafts (conversation_id, user_id, organization_id, content)"
            " VALUES (%s, %s, %s, %s)",
            (conversation, login.user_id, login.home, f"draft of {name}"),
        )
    try:
        for reader in ("owner_a", "admin_a", "member_a", "member_b", "relay", "removed_b"):
            for writer in ("member_a", "owner_a", "member_b"):
                user = world.logins[writer].user_id
                own = reader == writer
                read = _call(world, reader, "SELECT 1 FROM reply_drafts WHERE user_id = %s", user)
                changed = _call(
                    world, reader, "UPDATE reply_drafts SET content = 'x' WHERE user_id = %s", user
                )
                gone = _call(world, reader, "DELETE FROM reply_drafts WHERE user_id = %s", user)
                assert (read, changed, gone) == (own, own, own), (reader, writer)
        member_a = world.logins["member_a"]
        assert not _call(
            world,
            "member_a",
            "INSERT INTO reply_drafts (conversation_id, user_id, organization_id)"
            " VALUES ('conv_b', %s, %s)",
            member_a.user_id,
            B,
        ), "a draft in another organisation's conversation"
    finally:
        admin.execute("DELETE FROM reply_drafts")


def test_a_quick_reply_is_its_teams_and_written_as_its_adder(world: World) -> None:
    """A member of B sees none of A's quick replies (nor their words); a member of
    A adds one only as himself, never in another's name (migration 0020)."""
    add = (
        "INSERT INTO quick_replies (id, organization_id, shortcut, text, created_by) "
        "VALUES (%s, %s, 'new', 'Hello', %s)"
    )
    member_a, owner_a = world.logins["member_a"], world.logins["owner_a"]
    assert _call(world, "member_a", "SELECT 1 FROM quick_replies WHERE id = 'qr_a'")
    assert not _call(world, "member_b", "SELECT 1 FROM quick_replies WHERE organization_id = %s", A)
    assert not _call(world, "member_b", "SELECT 1 FROM quick_replies WHERE text LIKE '%%of a'")
    assert _call(world, "member_a", add, _new(), A, member_a.user_id)
    assert not _call(world, "member_a", add, _new(), A, owner_a.user_id), "in the owner's name"
    assert not _call(world, "member_b", add, _new(), A, world.logins["member_b"].user_id)


def test_any_member_assigns_only_to_a_member_of_the_conversations_organisation(
    world: World,
) -> None:
    """#17.2: a MEMBER or an ADMIN gives a conversation to a teammate or takes
    it; nobody gives it to someone of another organisation (the database
    refuses, whoever writes), and another organisation's member cannot touch
    it (migration 0023_assignments)."""
    u = world.users
    assign = "UPDATE conversations SET assignee_user_id = %s WHERE id = %s"
    assert _call(world, "member_a", assign, u["member_a"], "conv_a"), "a MEMBER takes it"
    assert _call(world, "member_a", assign, u["admin_a"], "conv_a"), "to a teammate"
    assert _call(world, "admin_a", assign, u["owner_a"], "conv_a")
    assert _call(world, "member_a", assign, None, "conv_a"), "back to Unassigned"
    for outsider in ("owner_b", "member_b", "removed_b"):
        assert not _call(world, "member_a", assign, u[outsider], "conv_a"), outsider
        assert not _call(world, "owner_a", assign, u[outsider], "conv_a"), outsider
    assert not _call(world, "member_a", assign, "nobody_id", "conv_a")
    assert not _call(world, "member_b", assign, u["member_b"], "conv_a"), "a foreign org's"
    assert not _call(world, "member_a", assign, u["member_a"], "conv_b"), "a foreign org's"
    # Not even the administrator (a superuser, past every policy) can.
    with (
        pytest.raises(psycopg.errors.ForeignKeyViolation),
        world.admin.transaction(force_rollback=True),
    ):
        world.admin.execute(assign, (u["member_b"], "conv_a"))


def test_a_removed_member_hands_their_conversations_back(world: World) -> None:
    """Removing a member (or their leaving) puts what they were on back to
    Unassigned, in the same transaction; the counts follow."""
    owner = world.logins["owner_a"].connection
    assert owner is not None
    u = world.users
    with owner.transaction(force_rollback=True):
        owner.execute(
            "UPDATE conversations SET assignee_user_id = %s WHERE id = 'conv_a'", (u["member_a"],)
        )
        owner.execute("SELECT snorq_remove_member(%s, %s, %s)", (u["owner_a"], A, u["member_a"]))
        row = owner.execute("SELECT assignee_user_id FROM conversations WHERE id = 'conv_a'")
        assert row.fetchone() == (None,)
        counts = owner.execute(
            "SELECT coalesce(assignee_user_id, ''), sum(conversations) FROM "
            "assignment_count_changes WHERE organization_id = %s GROUP BY 1 "
            "HAVING sum(conversations) <> 0",
            (A,),
        ).fetchall()
        assert counts == [("", 1)]


def test_business_hours_are_changed_only_by_a_manager_and_seen_only_by_the_team(
    world: World,
) -> None:
    """A member reads the hours but cannot switch the away message off (migration
    0021); an admin can; another organisation sees neither the hours nor its words;
    an app queues an automatic answer only in its own organisation's conversation."""
    switch_off = "UPDATE business_hours SET away_on = false WHERE organization_id = %s"
    assert _call(world, "member_a", "SELECT 1 FROM business_hours WHERE organization_id = %s", A)
    assert not _call(world, "member_a", switch_off, A)
    assert _call(world, "admin_a", switch_off, A)
    assert not _call(world, "member_b", "SELECT 1 FROM business_hours WHERE away_text LIKE '%%a'")
    queue = (
        "INSERT INTO automatic_replies (id, organization_id, conversation_id, kind, period_start) "
        "VALUES (%s, %s, %s, 'AWAY', now())"
    )
    assert _call(world, "member_a", queue, _new(), A, "conv_a")
    assert not _call(world, "member_a", queue, _new(), A, "conv_b"), "another shop's conversation"
    assert not _call(world, "member_b", queue, _new(), A, "conv_a")
