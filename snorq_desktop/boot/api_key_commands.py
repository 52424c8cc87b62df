"""``snorq-desktop api-key create|list|revoke``: the organisation's keys for the
REST API (BUSINESS plan), as the signed-in person.  A new key is printed once:
only its hash is stored."""

import argparse
from collections.abc import Callable

from snorq_desktop.boot.accounts import account_store, team_service
from snorq_desktop.boot.app import open_database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.services.accounts import profile_of
from snorq_desktop.services.api_keys import ApiKeyService

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
