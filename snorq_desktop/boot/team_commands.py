"""``snorq-desktop team create|invite|members|remove``: the Members page's
operations for scripts, as the signed-in person.

On a team database the owner of a new organisation gets a database login of
their own (when this app logs in as the administrator's login), and this app
logs in as it from then on: the administrator's login stays with the person
who set the database up, not in every app.
"""

import argparse
from collections.abc import Callable
from dataclasses import replace

from snorq_desktop.boot.accounts import account_store, team_service
from snorq_desktop.boot.app import Database, open_database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.enums import MemberRole
from snorq_desktop.domain.errors import KnownError, NotFound
from snorq_desktop.domain.identity import Identity
from snorq_desktop.secrets import member_login
from snorq_desktop.services.accounts import profile_of
from snorq_desktop.services.team import TeamService
from snorq_desktop.store.database import parse_database_url
from snorq_desktop.store.organizations import organizations_of

AddParser = Callable[..., argparse.ArgumentParser]

NO_LOGIN = "-"  # a member without a login of their own (the built-in database's one person)


def add_team_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", add_parser: AddParser
) -> None:
    """``add_parser``: the command line's own, so the options every command takes
    (--database-url, --home) work after ``team invite`` as before it."""
    team = add_parser(commands, "team", help="the organisation and its members")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    create = add_parser(actions, "create", help="make an organisation; you become its OWNER")
    create.add_argument("--name", required=True, help="the organisation's name")
    invite = add_parser(actions, "invite", help="invite someone by email; prints the invite code")
    invite.add_argument("email", help="the Google address they will sign in with")
    invite.add_argument(
        "--role",
        choices=[MemberRole.MEMBER.value, MemberRole.ADMIN.value],
        default="MEMBER",
        help="MEMBER views and answers; ADMIN also manages members, connections and "
        "settings (default MEMBER)",
    )
    add_parser(actions, "members", help="one line each: email, role, database login")
    remove = add_parser(actions, "remove", help="remove a member (their database login goes too)")
    remove.add_argument("email", help="the member's email address")


def run(settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    account = account_store(settings, paths).load()
    if account is None:
        raise KnownError("Sign in first (`snorq-desktop login`).")
    with open_database(settings, paths, migrate=False) as database:
        service = team_service(database, settings, paths)
        user_id, identity = service.signed_in(profile_of(account))
        action = arguments.team_command
        if action == "create":
            return _create(settings, paths, service, user_id, arguments.name, database.embedded)
        if identity is None:
            raise KnownError(
                "You are not in an organisation yet: `snorq-desktop team create --name NAME`, "
                "or `snorq-desktop join CODE` with an invite code."
            )
        if action == "invite":
            print(service.invite(identity, arguments.email, MemberRole(arguments.role)))
            return 0
        if action == "members":
            return _members(service, identity)
        return _remove(service, identity, arguments.email)


def _create(
    settings: Settings,
    paths: AppPaths,
    service: TeamService,
    user_id: str,
    name: str,
    embedded: bool,
) -> int:
    identity = service.create_organization(user_id, name, service.propose_slug(name))
    print(f"Created {identity.organization_name}; you are its OWNER.")
    if embedded or not settings.database_url:
        return 0
    url = parse_database_url(settings.database_url)
    if (url.username or "").startswith(member_login.LOGIN_PREFIX):
        return 0  # this app already logs in as this person's own login
    password = member_login.new_password()
    login = service.issue_own_login(user_id, password)
    if login is None:
        return 0  # the app's login may not issue logins: it stays as it is
    saved = replace(
        Settings.load_file(paths.settings_file),
        database_url=url.set(
            drivername="postgresql", username=login, password=password
        ).render_as_string(hide_password=False),
    )
    saved.save(paths.settings_file)
    print(f"This app now logs in to the team database as {login}, your own login.")
    return 0


def _members(service: TeamService, identity: Identity) -> int:
    logins = service.member_logins(identity)
    for member in service.team(identity).members:
        print(f"{member.email}\t{member.role.value}\t{logins.get(member.user_id, NO_LOGIN)}")
    return 0


def _remove(service: TeamService, identity: Identity, email: str) -> int:
    wanted = email.strip().lower()
    logins = service.member_logins(identity)
    found = next((m for m in service.team(identity).members if m.email == wanted), None)
    if found is None:
        raise NotFound(f"{wanted} is not a member of {identity.organization_name}.")
    service.remove(identity, found.user_id)
    login = logins.get(found.user_id)
    gone = f"; their database login {login} no longer opens" if login else ""
    print(f"Removed {found.email} from {identity.organization_name}{gone}.")
    return 0


def signed_in_organizations(
    settings: Settings, paths: AppPaths, database: Database
) -> list[str] | None:
    """The organisations of the person signed in on this computer (None: nobody is)."""
    account = account_store(settings, paths).load()
    if account is None:
        return None
    user_id, _ = team_service(database, settings, paths).signed_in(profile_of(account))
    with database.sessions() as session:
        return organizations_of(session, user_id)
