"""``snorq-desktop api-key create|list|revoke`` and ``webhook add|list|remove``:
the organisation's keys for the REST API and its outgoing webhooks (BUSINESS
plan), as the signed-in person.  A new key is printed once:
only its hash is stored."""

import argparse
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from snorq_desktop.boot.accounts import account_store, team_service
from snorq_desktop.boot.app import open_database, token_cipher, token_key_store
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.identity import Identity
from snorq_desktop.services.accounts import profile_of
from snorq_desktop.services.api_keys import ApiKeyService
from snorq_desktop.services.outgoing_webhooks import WebhookService

AddParser = Callable[..., argparse.ArgumentParser]


def add_api_key_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", add_parser: AddParser
) -> None:
    keys = add_parser(commands, "api-key", help="keys for the REST API (Business plan)")
    actions = keys.add_subparsers(dest="api_key_command", metavar="ACTION", required=True)
    create = add_parser(actions, "create", help="make a key; it is printed once")
    create.add_argument("--name", required=True, help="what the key is for, e.g. “web shop”")
    create.add_argument(
        "--role",
        choices=[r.value for r in (MemberRole.MEMBER, MemberRole.ADMIN, MemberRole.OWNER)],
        default=MemberRole.MEMBER.value,
        help="what the key may do (no higher than your own role; default MEMBER)",
    )
    add_parser(actions, "list", help="one line each: name, key prefix, role, made, last used")
    revoke = add_parser(actions, "revoke", help="stop a key at once")
    revoke.add_argument("key", metavar="NAME|ID", help="the key's name or id")

    hooks = add_parser(commands, "webhook", help="signed events to your own system (Business plan)")
    hook_actions = hooks.add_subparsers(dest="webhook_command", metavar="ACTION", required=True)
    add = add_parser(hook_actions, "add", help="send events to URL; prints its signing secret once")
    add.add_argument("url", help="https://… on your own system")
    add_parser(hook_actions, "list", help="one line each: id, URL")
    remove = add_parser(hook_actions, "remove", help="stop sending to a URL")
    remove.add_argument("webhook", metavar="URL|ID")


def _when(moment: object) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "never"  # type: ignore[attr-defined]


def run(settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    account = account_store(settings, paths).load()
    if account is None:
        raise KnownError("Sign in first (`snorq-desktop login`).")
    with open_database(settings, paths, migrate=False) as database:
        _, identity = team_service(database, settings, paths).signed_in(profile_of(account))
        if identity is None:
            raise KnownError(
                "You are not in an organisation yet: `snorq-desktop team create --name NAME`, "
                "or `snorq-desktop join CODE` with an invite code."
            )
        if arguments.command == "webhook":
            return _webhook(settings, paths, database.sessions, identity, arguments)
        service = ApiKeyService(database.sessions)
        action = arguments.api_key_command
        if action == "create":
            made = service.create(identity, arguments.name, MemberRole(arguments.role))
            print(made.key)
            print(
                f"This is the only time the key “{made.info.name}” is shown: keep it in the "
                f"system that will use it. It acts for {identity.organization_name} as "
                f"{made.info.role.value}."
            )
            return 0
        if action == "list":
            for key in service.all(identity):
                state = f"revoked {_when(key.revoked_at)}" if key.revoked_at else "in use"
                print(
                    f"{key.id}\t{key.name}\t{key.prefix}\t{key.role.value}\t{state}\t"
                    f"made {_when(key.created_at)} by {key.made_by or '-'}\t"
                    f"last used {_when(key.last_used_at)}"
                )
            return 0
        name = service.revoke(identity, arguments.key)
        print(f"Revoked the API key “{name}”: it opens nothing from now on.")
        return 0


def _webhook(
    settings: Settings,
    paths: AppPaths,
    sessions: "sessionmaker[Session]",
    identity: Identity,
    arguments: argparse.Namespace,
) -> int:
    hooks = WebhookService(sessions, lambda: token_cipher(token_key_store(settings, paths)))
    action = arguments.webhook_command
    if action == "add":
        _, secret = hooks.add(identity, arguments.url)
        print(secret)
        print(
            "This signing secret is shown once: events carry X-Snorq-Signature "
            't=<time>,v1=<HMAC-SHA256 of "<time>.<body>" with it>.'
        )
    elif action == "list":
        for webhook_id, url in hooks.all(identity):
            print(f"{webhook_id}\t{url}")
    else:
        hooks.remove(identity, arguments.webhook)
        print("Removed: no more events go there.")
    return 0
