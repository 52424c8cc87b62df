"""``snorq-desktop plan show|activate FILE``: Team ▸ Plan… for scripts, as the
signed-in person (entering a licence is the owner's)."""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from snorq_desktop.boot.accounts import account_store, team_service
from snorq_desktop.boot.app import open_database
from snorq_desktop.boot.paths import AppPaths
from snorq_desktop.boot.settings import Settings
from snorq_desktop.domain.errors import KnownError
from snorq_desktop.domain.licence import PlanStatus, day
from snorq_desktop.domain.plans import plan_label
from snorq_desktop.secrets.licence import LicenceKeys
from snorq_desktop.services.accounts import profile_of
from snorq_desktop.services.plan import PlanService

AddParser = Callable[..., argparse.ArgumentParser]


def add_plan_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", add_parser: AddParser
) -> None:
    plan = add_parser(commands, "plan", help="the organisation's plan and its licence")
    actions = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    add_parser(actions, "show", help="the plan, its seats and its licence")
    activate = add_parser(actions, "activate", help="enter the licence SNORQ sent (the owner)")
    activate.add_argument("file", help="the licence file (- reads it from standard input)")


def run(settings: Settings, paths: AppPaths, arguments: argparse.Namespace) -> int:
    account = account_store(settings, paths).load()
    if account is None:
        raise KnownError("Sign in first (`snorq-desktop login`).")
    text = _read(arguments.file) if arguments.plan_command == "activate" else ""
    with open_database(settings, paths, migrate=False) as database:
        _, identity = team_service(database, settings, paths).signed_in(profile_of(account))
        if identity is None:
            raise KnownError(
                "You are not in an organisation yet: `snorq-desktop team create --name NAME`."
            )
        service = PlanService(database.sessions, LicenceKeys.built_in())
        if arguments.plan_command == "activate":
            status = service.activate(identity, text)
            print(f"{identity.organization_name} is now on the {plan_label(status.plan)} plan.")
        else:
            status = service.status(identity.organization_id)
        _show(status)
    return 0


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file).expanduser()
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise KnownError(f"There is no licence file at {path}.") from None


def _show(status: PlanStatus) -> None:
    print(f"plan:     {plan_label(status.plan)}")
    print(f"seats:    {status.members} of {status.seats} used")
    print(f"history:  {status.history}")
    print(f"API:      {'yes' if status.api_access else 'no'}")
    if status.licence is not None:
        print(f"licence:  {plan_label(status.licence.plan)}, ends {day(status.licence.expires_at)}")
    elif status.problem is None:
        print("licence:  none")
    for sentence in (status.problem, status.warning):
        if sentence:
            print(f"note:     {sentence}")
